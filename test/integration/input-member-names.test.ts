import { describe, expect, it } from 'vitest';
import { isLanguageTag } from '../../lib/metadata/language-tag.js';
import { type Answer, clientPath, expectError, REGISTRATION_PATH, registeredMetadata, useHarness } from '../support/harness.js';

// Issue 8, items 1 and 2: member names are data, never properties of an object with a prototype,
// and parsing a body is bounded in depth and size. Each refusal is a JSON 400 that changes nothing.

const METADATA = { redirect_uris: ['https://app.example/cb'] };
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];
const VALUES: readonly unknown[] = [1, 'x', {}, [], null, true, { redirect_uris: ['https://evil.example/cb'] }];

/** A JSON text with the member `name` set to `value` (JSON.stringify would drop a literal __proto__ key). */
function bodyWith(base: Record<string, unknown>, name: string, value: unknown): string {
  const text = JSON.stringify(base);
  return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(name)}:${JSON.stringify(value)}}`;
}

describe('member names of Object.prototype', () => {
  const h = useHarness();

  const post = async (body: string) => h.call('POST', REGISTRATION_PATH, { body, token: await h.initialAccessToken() });
  const refused = async (act: () => Promise<Answer>, status: number, error: string): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expectError(res, status, error);
    expect(await h.items()).toEqual(before);
    return res;
  };

  describe.each(PROTOTYPE_NAMES)('%s', (name) => {
    it.each(VALUES.map((value) => [JSON.stringify(value), value]))(
      'POST with it as a top-level member (%s) registers the client and ignores the member',
      async (_label, value) => {
        const res = await post(bodyWith(METADATA, name, value));

        expect(res.status).toBe(201);
        expect(Object.hasOwn(res.body, name)).toBe(false);
        expect(res.body.redirect_uris).toEqual(METADATA.redirect_uris);
        const item = await h.item(res.body.client_id);
        expect(Object.hasOwn(item!.metadata, name)).toBe(false);
        expect(item!.metadata).toEqual(registeredMetadata(res.body));
      },
    );

    it('PUT with it as a member updates the client and ignores the member', async () => {
      const client = await h.register(METADATA);
      const res = await h.call('PUT', clientPath(client.body.client_id), {
        token: client.body.registration_access_token,
        body: bodyWith({ client_id: client.body.client_id, ...METADATA, client_name: 'Updated' }, name, 1),
      });

      expect(res.status).toBe(200);
      expect(res.body.client_name).toBe('Updated');
      expect(Object.hasOwn(res.body, name)).toBe(false);
    });

    it('PUT with only client_id and it (the reported case) is an update, not a 500', async () => {
      const client = await h.register({ grant_types: ['client_credentials'] });
      const res = await h.call('PUT', clientPath(client.body.client_id), {
        token: client.body.registration_access_token,
        body: bodyWith({ client_id: client.body.client_id, grant_types: ['client_credentials'] }, name, 1),
      });

      expect(res.status).toBe(200);
    });

    it('PUT with it and a wrong token: 401, not a 500', async () => {
      const client = await h.register(METADATA);
      await refused(
        () =>
          h.call('PUT', clientPath(client.body.client_id), {
            token: 'not-the-token',
            body: bodyWith({ client_id: client.body.client_id, ...METADATA }, name, 1),
          }),
        401,
        'invalid_token',
      );
    });

    it('language-tagged, client_name#<name>: a field like any other (tostring is a well-formed tag, __proto__ is not)', async () => {
      const member = `client_name#${name}`;
      if (isLanguageTag(name)) {
        const res = await post(bodyWith(METADATA, member, 'x'));
        expect(res.status).toBe(201);
        expect(res.body[member]).toBe('x');
        expect((await h.item(res.body.client_id))!.metadata[member]).toBe('x');
      } else {
        const res = await refused(() => post(bodyWith(METADATA, member, 'x')), 400, 'invalid_client_metadata');
        expect(res.body.error_description).toContain(member);
      }
    });

    it('as a base of a language-tagged name (<name>#en) the member is ignored', async () => {
      const res = await post(bodyWith(METADATA, `${name}#en`, 'x'));

      expect(res.status).toBe(201);
      expect(Object.hasOwn(res.body, `${name}#en`)).toBe(false);
    });

    it('inside a JWK and the JWK Set: the member is ignored, the key still checked', async () => {
      const jwks = `{"keys":[${bodyWith({ kty: 'oct', k: 'AAAA' }, name, {})}],${JSON.stringify(name)}:{"keys":[]}}`;
      await refused(() => post(`{"jwks":${jwks},"grant_types":["client_credentials"]}`), 400, 'invalid_client_metadata');
    });

    it('as an operator-configured extended property name, it is stored only when sent', async () => {
      if (name === '__proto__' || name === '__defineGetter__') return; // not a valid extended property name
      h.configure({ extendedProperties: [{ name, multiValued: false }] });

      const without = await post(JSON.stringify(METADATA));
      const withIt = await post(bodyWith(METADATA, name, 'value'));
      const wrongType = await refused(() => post(bodyWith(METADATA, name, 1)), 400, 'invalid_client_metadata');

      expect(without.status).toBe(201);
      expect(Object.hasOwn(without.body, name)).toBe(false);
      expect(withIt.status).toBe(201);
      expect(withIt.body[name]).toBe('value');
      expect((await h.item(withIt.body.client_id))!.metadata[name]).toBe('value');
      expect(wrongType.body.error_description).toContain(name);
    });
  });

  it('a policy-free registration with every prototype name at once still registers', async () => {
    const body = PROTOTYPE_NAMES.reduce((text, name) => bodyWith(JSON.parse(text), name, 1), JSON.stringify(METADATA));
    const res = await post(body);

    expect(res.status).toBe(201);
  });
});

describe('deeply nested and oversized bodies', () => {
  const h = useHarness();

  const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;
  const post = async (body: string) => h.call('POST', REGISTRATION_PATH, { body, token: await h.initialAccessToken() });
  const refused = async (act: () => Promise<Answer>, status: number, error: string): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expectError(res, status, error);
    expect(await h.items()).toEqual(before);
    return res;
  };

  it.each([5_000, 3_000, 33])('redirect_uris nested %i arrays deep: 400 invalid_request naming the depth limit', async (depth) => {
    const res = await refused(() => post(`{"client_id":"abc","redirect_uris":${nested(depth)}}`), 400, 'invalid_request');

    expect(res.body.error_description).toMatch(/nested more than 32 levels/);
  });

  it('nested objects in an unknown member: 400 invalid_request', async () => {
    await refused(
      () => post(`{"redirect_uris":["https://app.example/cb"],"x":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`),
      400,
      'invalid_request',
    );
  });

  it('nesting within the limit in an unknown member is ignored like any unknown member', async () => {
    const res = await post(`{"redirect_uris":["https://app.example/cb"],"x":${nested(30)}}`);

    expect(res.status).toBe(201);
  });

  it('brackets inside strings do not count as nesting', async () => {
    const res = await post(JSON.stringify({ ...METADATA, client_name: `${'['.repeat(100)}"{${'{'.repeat(100)}` }));

    expect(res.status).toBe(201);
  });

  it('PUT with a deeply nested body: 400 invalid_request', async () => {
    const client = await h.register(METADATA);
    await refused(
      () =>
        h.call('PUT', clientPath(client.body.client_id), {
          token: client.body.registration_access_token,
          body: `{"client_id":${JSON.stringify(client.body.client_id)},"redirect_uris":${nested(5_000)}}`,
        }),
      400,
      'invalid_request',
    );
  });

  it('an array of 20,000 values: 400 invalid_request before any value is validated', async () => {
    const res = await refused(() => post(`{"redirect_uris":[${Array(20_000).fill('1').join(',')}]}`), 400, 'invalid_request');

    expect(res.body.error_description).toMatch(/more than 1000 values/);
  });

  it('an object of 5,000 members: 400 invalid_request', async () => {
    const members = Array.from({ length: 5_000 }, (_, index) => `"m${index}":0`).join(',');
    const res = await refused(() => post(`{"redirect_uris":["https://app.example/cb"],${members}}`), 400, 'invalid_request');

    expect(res.body.error_description).toMatch(/more than 1000 members/);
  });
});
