import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, header, registeredMetadata, useHarness } from '../support/harness.js';

// The software-statement policy (RFC 7591 §2.3) through the real handlers: statements signed with
// real keys of a trusted issuer (its JWKS inline in the configuration, or served by a local key
// server as jwks_uri), and every way one is refused. A refused request stores nothing and takes no
// place in the client caps (configured so that there is one to take).

const ISSUER = 'https://ssa.example.test';
const REMOTE_ISSUER = 'https://remote-ssa.example.test';
const REDIRECT = 'https://app.example/cb';
const CAPS = { total: 100_000, per_subject: 100_000 };

interface Signer {
  readonly key: CryptoKey;
  readonly jwk: JWK;
}

async function signer(alg: 'ES256' | 'PS256', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { key: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

/** A key server on 127.0.0.1: serves `jwks` at /jwks (or fails with 500) and counts the requests it gets. */
async function keyServer(
  jwks: () => { keys: JWK[] } | undefined,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((_request, response) => {
    requests++;
    const body = jwks();
    response.writeHead(body ? 200 : 500, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: 'down' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('software-statement policy', () => {
  const h = useHarness();
  let es: Signer;
  let ps: Signer;
  let stranger: Signer;
  let remote: Signer;
  let remoteServer: Awaited<ReturnType<typeof keyServer>>;
  let failingServer: Awaited<ReturnType<typeof keyServer>>;
  let attackerServer: Awaited<ReturnType<typeof keyServer>>;
  beforeAll(async () => {
    [es, ps, stranger, remote] = await Promise.all([
      signer('ES256', 'ssa-es'),
      signer('PS256', 'ssa-ps'),
      signer('ES256', 'ssa-es'),
      signer('ES256', 'remote-1'),
    ]);
    remoteServer = await keyServer(() => ({ keys: [remote.jwk] }));
    failingServer = await keyServer(() => undefined);
    attackerServer = await keyServer(() => ({ keys: [stranger.jwk] }));
  });
  afterAll(async () => {
    await Promise.all([remoteServer.close(), failingServer.close(), attackerServer.close()]);
  });

  const INLINE = { issuer: ISSUER, jwks: { keys: [] as JWK[] } };
  const configure = (options: Record<string, unknown> = {}) => {
    INLINE.jwks.keys = [es.jwk, ps.jwk];
    h.configure({
      registrationPolicies: JSON.stringify({
        authenticated: [
          { policy: 'software-statement', issuers: [INLINE, { issuer: REMOTE_ISSUER, jwks_uri: remoteServer.url }], ...options },
        ],
        caps: CAPS,
      }),
    });
  };
  beforeEach(() => {
    configure();
  });

  /** A statement of ISSUER (ES256) with these claims; header and key can be changed. */
  const statement = (
    claims: JWTPayload = {},
    options: { by?: Signer; header?: Record<string, unknown>; alg?: string; lifetime?: number } = {},
  ) => {
    const by = options.by ?? es;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: ISSUER, iat: now, exp: now + (options.lifetime ?? 600), software_id: 'app-1', ...claims })
      .setProtectedHeader({ alg: options.alg ?? (by.jwk.alg as string), kid: by.jwk.kid, ...options.header })
      .sign(by.key);
  };
  const accepted = async (metadata: Record<string, unknown>): Promise<Answer> => {
    const res = await h.register(metadata);
    expect(res.status).toBe(201);
    expect((await h.item(res.body.client_id))?.metadata).toEqual(registeredMetadata(res.body));
    return res;
  };
  const refused = async (act: () => Promise<Answer>, status: number, error: string, description: string | RegExp): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expectError(res, status, error);
    expect(res.body.error_description).toMatch(description);
    expect(await h.items()).toEqual(before);
    return res;
  };
  const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

  describe('accepted', () => {
    it('a statement of a trusted issuer: its claims win over the plain members, and it comes back unmodified', async () => {
      const signed = await statement({ client_name: 'Attested App', redirect_uris: [REDIRECT], logo_uri: 'https://app.example/logo.png' });

      const res = await accepted({
        software_statement: signed,
        client_name: 'Self-asserted name',
        'client_name#en': 'Self-asserted too',
        software_id: 'self-asserted',
        redirect_uris: ['https://elsewhere.example/cb'],
        contacts: ['dev@app.example'],
      });

      expect(res.body).toMatchObject({
        software_statement: signed,
        client_name: 'Attested App',
        software_id: 'app-1',
        redirect_uris: [REDIRECT],
        logo_uri: 'https://app.example/logo.png',
        // a member the statement does not set stays
        contacts: ['dev@app.example'],
      });
      // the statement set client_name: a self-asserted language variant cannot stand beside it
      expect(res.body).not.toHaveProperty('client_name#en');
      // claims about the statement itself are not client metadata
      for (const claim of ['iss', 'iat', 'exp']) expect(res.body).not.toHaveProperty(claim);
    });

    it('is returned by GET and checked again on PUT', async () => {
      const signed = await statement({ redirect_uris: [REDIRECT] });
      const client = await accepted({ software_statement: signed });

      const read = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });
      const updated = await h.call('PUT', clientPath(client.body.client_id), {
        token: read.body.registration_access_token,
        body: { client_id: client.body.client_id, software_statement: signed, client_name: 'Renamed' },
      });
      const expired = await statement({ redirect_uris: [REDIRECT] }, { lifetime: -3600 });
      await refused(
        () =>
          h.call('PUT', clientPath(client.body.client_id), {
            token: updated.body.registration_access_token,
            body: { client_id: client.body.client_id, software_statement: expired },
          }),
        400,
        'invalid_software_statement',
        exactly('software_statement has expired'),
      );

      expect(read.body.software_statement).toBe(signed);
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ software_statement: signed, client_name: 'Renamed', redirect_uris: [REDIRECT] });
    });

    it('any configured algorithm and key of the issuer (PS256 here)', async () => {
      const res = await accepted({ software_statement: await statement({ redirect_uris: [REDIRECT] }, { by: ps }) });

      expect(res.body.software_id).toBe('app-1');
    });

    it('an issuer whose keys come from its jwks_uri, fetched once for many statements', async () => {
      const before = remoteServer.requests();
      const signed = () => statement({ iss: REMOTE_ISSUER, redirect_uris: [REDIRECT] }, { by: remote });

      await accepted({ software_statement: await signed() });
      await accepted({ software_statement: await signed() });

      expect(remoteServer.requests() - before).toBeLessThanOrEqual(1);
    });

    it('the expected typ, when one is configured', async () => {
      configure({ typ: 'software-statement+jwt' });

      await accepted({ software_statement: await statement({ redirect_uris: [REDIRECT] }, { header: { typ: 'software-statement+jwt' } }) });
    });

    it('a registration without a statement when none is required', async () => {
      const res = await accepted({ redirect_uris: [REDIRECT] });

      expect(res.body).not.toHaveProperty('software_statement');
    });
  });

  describe('refused with invalid_software_statement', () => {
    it('a required statement that is missing', async () => {
      configure({ required: true });

      await refused(
        () => h.register({ redirect_uris: [REDIRECT] }),
        400,
        'invalid_software_statement',
        exactly('a software_statement is required to register here'),
      );
    });

    it.each<[string, () => Promise<unknown>, string]>([
      ['not a JWT', async () => 'not-a-jwt', 'software_statement is not a JWT'],
      ['not a string', async () => ({ iss: ISSUER }), 'software_statement must be a signed JWT (a string)'],
      [
        'unsigned (alg none)',
        async () =>
          `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER })).toString('base64url')}.`,
        'software_statement is signed with an algorithm that is not accepted here',
      ],
      ['without iss', () => statement({ iss: undefined }), 'software_statement has no iss claim (RFC 7591 §2.3)'],
      [
        "signed by another key under the issuer's kid",
        () => statement({}, { by: stranger }),
        `software_statement signature does not verify with the keys of "${ISSUER}"`,
      ],
      ['expired', () => statement({}, { lifetime: -3600 }), 'software_statement has expired'],
      ['not valid yet', () => statement({ nbf: Math.floor(Date.now() / 1000) + 3600 }), 'software_statement is not valid yet'],
      [
        'with a tampered payload',
        async () => {
          const [head, , signature] = (await statement()).split('.');
          return `${head}.${Buffer.from(JSON.stringify({ iss: ISSUER, software_id: 'other', exp: 4102444800 })).toString('base64url')}.${signature}`;
        },
        `software_statement signature does not verify with the keys of "${ISSUER}"`,
      ],
    ])('%s', async (_what, make, description) => {
      const presented = await make();

      await refused(
        () => h.register({ redirect_uris: [REDIRECT], software_statement: presented }),
        400,
        'invalid_software_statement',
        exactly(description),
      );
    });

    it('signed with an algorithm the configuration does not accept', async () => {
      configure({ algorithms: ['ES256'] });

      await refused(
        async () => h.register({ software_statement: await statement({ redirect_uris: [REDIRECT] }, { by: ps }) }),
        400,
        'invalid_software_statement',
        exactly('software_statement is signed with an algorithm that is not accepted here'),
      );
    });

    it('without the expected typ', async () => {
      configure({ typ: 'software-statement+jwt' });

      await refused(
        async () => h.register({ software_statement: await statement({ redirect_uris: [REDIRECT] }, { header: { typ: 'JWT' } }) }),
        400,
        'invalid_software_statement',
        exactly('software_statement does not have the expected typ header'),
      );
    });

    it('meant for another audience', async () => {
      configure({ audience: 'https://dcr.example.test' });

      await refused(
        async () => h.register({ software_statement: await statement({ aud: 'https://other.example', redirect_uris: [REDIRECT] }) }),
        400,
        'invalid_software_statement',
        exactly('software_statement is not meant for this server (aud)'),
      );
    });

    it('never trusts keys the statement names: an embedded jwk or a jku URL', async () => {
      const attacker = await signer('ES256', 'attacker');
      const withJwk = await statement({ redirect_uris: [REDIRECT] }, { by: attacker, header: { jwk: attacker.jwk } });
      const withJku = await statement(
        { redirect_uris: [REDIRECT] },
        { by: stranger, header: { kid: 'attacker', jku: attackerServer.url } },
      );
      const before = attackerServer.requests();

      for (const presented of [withJwk, withJku]) {
        await refused(() => h.register({ software_statement: presented }), 400, 'invalid_software_statement', /signature does not verify/);
      }
      expect(attackerServer.requests()).toBe(before);
    });
  });

  describe('refused with unapproved_software_statement', () => {
    it('a statement of an issuer the server does not trust', async () => {
      await refused(
        async () => h.register({ software_statement: await statement({ iss: 'https://evil.example' }) }),
        400,
        'unapproved_software_statement',
        exactly('software_statement was issued by "https://evil.example", which this server does not trust'),
      );
    });

    it('software not on the allowed list', async () => {
      configure({ allowed_software_ids: ['app-2'] });

      await refused(
        async () => h.register({ software_statement: await statement({ redirect_uris: [REDIRECT] }), software_id: 'app-2' }),
        400,
        'unapproved_software_statement',
        exactly('software_id "app-1" of the software_statement is not approved here'),
      );
    });
  });

  it("the statement's claims are validated like any metadata: a bad attested redirect URI is invalid_redirect_uri", async () => {
    await refused(
      async () =>
        h.register({ redirect_uris: [REDIRECT], software_statement: await statement({ redirect_uris: ['javascript:alert(1)'] }) }),
      400,
      'invalid_redirect_uri',
      /javascript/,
    );
  });

  it('an issuer whose key server fails: 503 temporarily_unavailable with Retry-After', async () => {
    h.configure({
      registrationPolicies: JSON.stringify({
        authenticated: [{ policy: 'software-statement', issuers: [{ issuer: REMOTE_ISSUER, jwks_uri: failingServer.url }] }],
        caps: CAPS,
      }),
    });

    const res = await refused(
      async () => h.register({ software_statement: await statement({ iss: REMOTE_ISSUER, redirect_uris: [REDIRECT] }, { by: remote }) }),
      503,
      'temporarily_unavailable',
      exactly('the software statement issuer keys could not be fetched; retry shortly'),
    );
    expect(header(res, 'Retry-After')).toBe('5');
  });
});
