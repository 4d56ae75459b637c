import { readFileSync } from 'node:fs';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../lib/settings/catalog.js';
import { ATTR } from '../../lib/store/item.js';
import { type Answer, clientPath, HARNESS_SETTINGS, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// docs/openapi.json must stay true: every answer the real handlers give (driven through the harness)
// has a status the document lists for its operation, a body its schema accepts and the headers it
// marks required.

const DOCUMENT = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
const REDIRECT = 'https://app.example/cb';
const MANAGEMENT_PATH = `${REGISTRATION_PATH}/{clientId}`;

// strict: false: OpenAPI annotations (description on a $ref sibling and the like) are not JSON Schema keywords
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: true });
(addFormats as unknown as typeof addFormats.default)(ajv);
ajv.addSchema({ $id: 'openapi', components: DOCUMENT.components });

type Method = 'post' | 'get' | 'put' | 'delete';

/** Follows a local reference (#/components/...) of the document. */
function resolve<T = any>(node: any): T {
  if (!node?.$ref) return node;
  const target = (node.$ref as string)
    .replace(/^#\//, '')
    .split('/')
    .reduce((parent: any, key) => parent?.[key], DOCUMENT);
  if (target === undefined) throw new Error(`unresolved reference ${node.$ref}`);
  return resolve(target);
}

function documentedResponse(path: string, method: Method, status: number): any {
  return resolve(DOCUMENT.paths[path]?.[method]?.responses?.[String(status)]);
}

/** The schema of a response's JSON body, as a reference into the compiled components (so $refs resolve). */
function bodyValidator(response: any) {
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return undefined;
  return ajv.getSchema(`openapi${schema.$ref}`) ?? ajv.compile(schema);
}

/** The answer matches the document: status listed, body valid (or absent when none is documented), required headers present. */
function expectDocumented(answer: Answer, path: string, method: Method): void {
  const response = documentedResponse(path, method, answer.status);
  expect(response, `${method.toUpperCase()} ${path} answered ${answer.status}, which the document does not list`).toBeDefined();
  const validate = bodyValidator(response);
  if (validate) {
    const valid = validate(answer.body);
    expect(valid, `${method.toUpperCase()} ${path} ${answer.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  } else {
    expect(answer.rawBody ?? '').toBe('');
  }
  for (const [name, spec] of Object.entries(response.headers ?? {})) {
    const headerSpec = resolve(spec);
    if (!headerSpec.required) continue;
    const value = header(answer, name);
    expect(value, `${answer.status} lacks the required header ${name}`).toBeDefined();
    if (headerSpec.schema) expect(ajv.validate(headerSpec.schema, value), `${name}: ${value}`).toBe(true);
  }
}

describe('docs/openapi.json', () => {
  const h = useHarness();

  it('is OpenAPI 3.1 with the four operations and their security schemes', () => {
    expect(DOCUMENT.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(DOCUMENT.paths[REGISTRATION_PATH])).toEqual(['post']);
    expect(Object.keys(DOCUMENT.paths[MANAGEMENT_PATH]).sort()).toEqual(['delete', 'get', 'parameters', 'put']);
    expect(DOCUMENT.paths[REGISTRATION_PATH].post.security).toEqual([{ initialAccessToken: [] }, {}]);
    for (const method of ['get', 'put', 'delete']) {
      expect(DOCUMENT.paths[MANAGEMENT_PATH][method].security).toEqual([{ registrationAccessToken: [] }]);
    }
    expect(DOCUMENT.components.securitySchemes).toMatchObject({
      initialAccessToken: { type: 'http', scheme: 'bearer' },
      registrationAccessToken: { type: 'http', scheme: 'bearer' },
    });
  });

  it('lists every status each operation can give', () => {
    const statuses = (path: string, method: Method) => Object.keys(DOCUMENT.paths[path][method].responses).sort();
    expect(statuses(REGISTRATION_PATH, 'post')).toEqual(['201', '400', '401', '403', '404', '413', '500', '503']);
    expect(statuses(MANAGEMENT_PATH, 'get')).toEqual(['200', '400', '401', '403', '404', '500', '503']);
    expect(statuses(MANAGEMENT_PATH, 'put')).toEqual(['200', '400', '401', '403', '404', '413', '500', '503']);
    expect(statuses(MANAGEMENT_PATH, 'delete')).toEqual(['204', '400', '401', '403', '404', '405', '500', '503']);
  });

  it('every schema compiles, and the Error schema refuses a wrong body', () => {
    for (const name of Object.keys(DOCUMENT.components.schemas)) {
      expect(ajv.getSchema(`openapi#/components/schemas/${name}`), name).toBeDefined();
    }
    const error = ajv.getSchema('openapi#/components/schemas/Error')!;
    expect(error({ error: 'invalid_request', error_description: 'x' })).toBe(true);
    expect(error({ error: 42, error_description: 'x' })).toBe(false);
    expect(error({ error: 'no_such_code', error_description: 'x' })).toBe(false);
    expect(error({ error: 'invalid_request' })).toBe(false);
    const information = ajv.getSchema('openapi#/components/schemas/ClientInformation')!;
    expect(information({ redirect_uris: [REDIRECT] })).toBe(false);
    expect(information({ client_id: 'c', registration_access_token: 't', registration_client_uri: 'x', grant_types: 'code' })).toBe(false);
  });

  it('the error code list is every code lib/errors.ts can give on these operations', () => {
    const source = readFileSync(new URL('../../lib/errors.ts', import.meta.url), 'utf8');
    const codes = new Set([...source.matchAll(/RegistrationError\(\s*\d{3},\s*'([a-z_]+)'/g)].map((match) => match[1]));
    codes.delete('method_not_allowed'); // the 405 has an empty body
    codes.delete('invalid_client'); // the client directory's, not these operations'
    expect(codes.size).toBeGreaterThan(5);
    expect([...DOCUMENT.components.schemas.Error.properties.error.enum].sort()).toEqual([...codes].sort());
  });

  it('the success answers: 201 register, 200 read, 200 update, 204 delete', async () => {
    const registered = await h.register({ redirect_uris: [REDIRECT], client_name: 'OpenAPI', contacts: ['a@example.com'] });
    expect(registered.status).toBe(201);
    expectDocumented(registered, REGISTRATION_PATH, 'post');
    const path = clientPath(registered.body.client_id);

    const read = await h.call('GET', path, { token: registered.body.registration_access_token });
    expect(read.status).toBe(200);
    expectDocumented(read, MANAGEMENT_PATH, 'get');

    const updated = await h.call('PUT', path, {
      token: read.body.registration_access_token,
      body: { client_id: registered.body.client_id, redirect_uris: [REDIRECT], client_name: 'OpenAPI 2' },
    });
    expect(updated.status).toBe(200);
    expectDocumented(updated, MANAGEMENT_PATH, 'put');

    const deleted = await h.call('DELETE', path, { token: updated.body.registration_access_token });
    expect(deleted.status).toBe(204);
    expectDocumented(deleted, MANAGEMENT_PATH, 'delete');
  });

  it('400: bad metadata on register and update', async () => {
    const refused = await h.register({ redirect_uris: ['not a uri'] });
    const registered = await h.register({ redirect_uris: [REDIRECT] });
    const badUpdate = await h.call('PUT', clientPath(registered.body.client_id), {
      token: registered.body.registration_access_token,
      body: { client_id: registered.body.client_id, redirect_uris: [REDIRECT], grant_types: 'authorization_code' },
    });

    expect([refused.status, badUpdate.status]).toEqual([400, 400]);
    expectDocumented(refused, REGISTRATION_PATH, 'post');
    expectDocumented(badUpdate, MANAGEMENT_PATH, 'put');
  });

  it('401: no token and a bad token, on every operation, with WWW-Authenticate', async () => {
    const registered = await h.register({ redirect_uris: [REDIRECT] });
    const path = clientPath(registered.body.client_id);
    const answers: [Answer, string, Method][] = [
      [await h.call('POST', REGISTRATION_PATH, { body: { redirect_uris: [REDIRECT] } }), REGISTRATION_PATH, 'post'],
      [await h.call('POST', REGISTRATION_PATH, { body: { redirect_uris: [REDIRECT] }, token: 'not-a-jwt' }), REGISTRATION_PATH, 'post'],
      [await h.call('GET', path), MANAGEMENT_PATH, 'get'],
      [await h.call('GET', path, { token: 'wrong' }), MANAGEMENT_PATH, 'get'],
      [
        await h.call('PUT', path, { token: 'wrong', body: { client_id: registered.body.client_id, redirect_uris: [REDIRECT] } }),
        MANAGEMENT_PATH,
        'put',
      ],
      [await h.call('DELETE', path, { token: 'wrong' }), MANAGEMENT_PATH, 'delete'],
    ];

    for (const [answer, documented, method] of answers) {
      expect(answer.status).toBe(401);
      expectDocumented(answer, documented, method);
    }
  });

  it('403: a token without the scope on register, and a disabled client on management', async () => {
    const noScope = await h.call('POST', REGISTRATION_PATH, {
      body: { redirect_uris: [REDIRECT] },
      token: await h.initialAccessToken({ scope: 'other' }),
    });
    const registered = await h.register({ redirect_uris: [REDIRECT] });
    const raw = new DynamoDBClient(h.dynamoDbConfig);
    await raw.send(
      new UpdateItemCommand({
        TableName: h.tableName,
        Key: { [ATTR.clientId]: { S: registered.body.client_id } },
        UpdateExpression: 'SET #disabled = :true',
        ExpressionAttributeNames: { '#disabled': ATTR.disabled },
        ExpressionAttributeValues: { ':true': { BOOL: true } },
      }),
    );
    raw.destroy();
    const disabled = await h.call('GET', clientPath(registered.body.client_id), { token: registered.body.registration_access_token });

    expect([noScope.status, noScope.body.error]).toEqual([403, 'insufficient_scope']);
    expect(header(noScope, 'WWW-Authenticate')).toMatch(/^Bearer error="insufficient_scope"/);
    expectDocumented(noScope, REGISTRATION_PATH, 'post');
    expect([disabled.status, disabled.body.error]).toEqual([403, 'access_denied']);
    expectDocumented(disabled, MANAGEMENT_PATH, 'get');
  });

  it('404: registration off, on every operation', async () => {
    const registered = await h.register({ redirect_uris: [REDIRECT] });
    const path = clientPath(registered.body.client_id);
    const token = registered.body.registration_access_token;
    h.configure({ registrationEnabled: false });

    const answers: [Answer, string, Method][] = [
      [await h.register({ redirect_uris: [REDIRECT] }), REGISTRATION_PATH, 'post'],
      [await h.call('GET', path, { token }), MANAGEMENT_PATH, 'get'],
      [
        await h.call('PUT', path, { token, body: { client_id: registered.body.client_id, redirect_uris: [REDIRECT] } }),
        MANAGEMENT_PATH,
        'put',
      ],
      [await h.call('DELETE', path, { token }), MANAGEMENT_PATH, 'delete'],
    ];

    for (const [answer, documented, method] of answers) {
      expect(answer.status).toBe(404);
      expectDocumented(answer, documented, method);
    }
  });

  it('405: DELETE while Allow Client Delete is off, with an empty body and Allow', async () => {
    const registered = await h.register({ redirect_uris: [REDIRECT] });
    h.configure({ allowClientDelete: false });

    const refused = await h.call('DELETE', clientPath(registered.body.client_id), { token: registered.body.registration_access_token });

    expect(refused.status).toBe(405);
    expect(header(refused, 'Allow')).toBe('GET, PUT');
    expectDocumented(refused, MANAGEMENT_PATH, 'delete');
  });

  it('413: a body over 64 KiB on register and update', async () => {
    const big = { redirect_uris: [REDIRECT], client_description: 'x'.repeat(65 * 1024) };
    const registered = await h.register({ redirect_uris: [REDIRECT] });

    const tooLarge = await h.register(big);
    const tooLargeUpdate = await h.call('PUT', clientPath(registered.body.client_id), {
      token: registered.body.registration_access_token,
      body: { ...big, client_id: registered.body.client_id },
    });

    expect([tooLarge.status, tooLargeUpdate.status]).toEqual([413, 413]);
    expectDocumented(tooLarge, REGISTRATION_PATH, 'post');
    expectDocumented(tooLargeUpdate, MANAGEMENT_PATH, 'put');
  });

  it('500: an unexpected failure, on every operation', async () => {
    const registered = await h.register({ redirect_uris: [REDIRECT] });
    const path = clientPath(registered.body.client_id);
    // settings that throw a plain Error when read: assigned, not configure(); useHarness puts them back
    h.settings = new Proxy(
      { ...HARNESS_SETTINGS },
      {
        get() {
          throw new Error('unexpected');
        },
      },
    ) as Settings;
    const token = registered.body.registration_access_token;
    const body = { client_id: registered.body.client_id, redirect_uris: [REDIRECT] };

    const answers: [Answer, string, Method][] = [
      [await h.call('POST', REGISTRATION_PATH, { token: 'some-token', body }), REGISTRATION_PATH, 'post'],
      [await h.call('GET', path, { token }), MANAGEMENT_PATH, 'get'],
      [await h.call('PUT', path, { token, body }), MANAGEMENT_PATH, 'put'],
      [await h.call('DELETE', path, { token }), MANAGEMENT_PATH, 'delete'],
    ];

    for (const [answer, documented, method] of answers) {
      expect(answer.status).toBe(500);
      expectDocumented(answer, documented, method);
    }
  });

  it('an answer the document does not describe fails the check (the check can fail)', async () => {
    const registered = await h.register({ redirect_uris: [REDIRECT] });
    const wrongBody: Answer = { ...registered, body: { ...registered.body, client_id: 42 } };
    const noHeader: Answer = { ...registered, headers: {} };
    const unlisted: Answer = { ...registered, status: 418 };

    for (const answer of [wrongBody, noHeader, unlisted]) {
      expect(() => expectDocumented(answer, REGISTRATION_PATH, 'post')).toThrow();
    }
  });
});

describe('docs/openapi.json: 503 without a client table', () => {
  const h = useHarness({ withStore: false });

  it('every operation answers a documented 503 with Retry-After', async () => {
    const path = clientPath('AAAAAAAAAAAAAAAAAAAAAAAA');
    const token = 'some-registration-access-token';
    const body = { client_id: 'AAAAAAAAAAAAAAAAAAAAAAAA', redirect_uris: [REDIRECT] };

    const answers: [Answer, string, Method][] = [
      [await h.call('POST', REGISTRATION_PATH, { token: await h.initialAccessToken(), body }), REGISTRATION_PATH, 'post'],
      [await h.call('GET', path, { token }), MANAGEMENT_PATH, 'get'],
      [await h.call('PUT', path, { token, body }), MANAGEMENT_PATH, 'put'],
      [await h.call('DELETE', path, { token }), MANAGEMENT_PATH, 'delete'],
    ];

    for (const [answer, documented, method] of answers) {
      expect(answer.status).toBe(503);
      expectDocumented(answer, documented, method);
    }
  });
});
