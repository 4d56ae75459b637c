import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { composeInitialAccessTokenVerifiers } from '../../lib/tokens/composite-verifier.js';
import { IntrospectionInitialAccessTokenVerifier } from '../../lib/tokens/introspection-verifier.js';
import { staticSecret } from '../../lib/tokens/secret-source.js';
import { type Answer, expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';
import { IntrospectionEndpoint } from './iat-introspection-endpoint.js';

// Opaque initial access tokens checked by token introspection (RFC 7662), through the real register
// handler against dynalite and a real introspection endpoint on 127.0.0.1. The verifier's clock is
// the test's (cache lifetimes without waiting); its timeout is shortened for the hanging endpoint.

const AS_ISSUER = 'https://as.example.test';
const CLIENT_ID = 'dcr-service';
// characters that client_secret_basic must form-encode
const CLIENT_SECRET = 'intro:spect secret/+%';
const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('initial access tokens checked by token introspection', () => {
  let clock = Date.now();
  const endpoint = new IntrospectionEndpoint(CLIENT_ID, CLIENT_SECRET);
  const h = useHarness(async () => {
    await endpoint.start();
    return {
      initialAccessTokens: ({ jwt }) =>
        composeInitialAccessTokenVerifiers({
          jwt,
          introspection: new IntrospectionInitialAccessTokenVerifier({
            endpoint: endpoint.url,
            clientId: CLIENT_ID,
            clientSecret: staticSecret(CLIENT_SECRET),
            issuer: AS_ISSUER,
            now: () => clock,
            timeoutMs: 300,
          }),
        }),
    };
  });
  afterAll(() => endpoint.close());
  beforeEach(() => {
    endpoint.reset();
    endpoint.clientSecret = CLIENT_SECRET;
    clock = Date.now();
  });

  let counter = 0;
  /** A fresh opaque token the endpoint answers for with `answer` (nothing cached for it yet). */
  const opaqueToken = (answer: Record<string, unknown>): string => {
    const token = `opaque-${++counter}-${Math.random().toString(36).slice(2)}`;
    endpoint.answers.set(token, answer);
    return token;
  };
  const active = (claims: Record<string, unknown> = {}) => ({
    active: true,
    iss: AS_ISSUER,
    sub: 'team-a',
    scope: 'dcr:register',
    token_type: 'Bearer',
    exp: Math.floor(clock / 1000) + 3600,
    ...claims,
  });
  const post = (token?: string) => h.call('POST', REGISTRATION_PATH, { body: METADATA, token });
  const refused = async (act: () => Promise<Answer>): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expect(await h.items()).toEqual(before);
    return res;
  };
  const expectInvalidToken = (res: Answer, reason: RegExp) => {
    expectError(res, 401, 'invalid_token');
    expect(header(res, 'WWW-Authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(res.body.error_description).toMatch(reason);
  };
  const expectUnavailable = (res: Answer, reason: RegExp) => {
    expectError(res, 503, 'temporarily_unavailable');
    expect(header(res, 'Retry-After')).toMatch(/^\d+$/);
    expect(res.body.error_description).toMatch(reason);
  };

  it('registers with an active token: one authenticated introspection call, form-encoded with the hint', async () => {
    const token = opaqueToken(active());

    const res = await post(token);

    expect(res.status).toBe(201);
    expect(await h.item(res.body.client_id)).toBeDefined();
    expect(endpoint.calls).toEqual([
      { token, tokenTypeHint: 'access_token', contentType: 'application/x-www-form-urlencoded', authenticated: true },
    ]);
  });

  it.each<[string, () => Record<string, unknown>, RegExp]>([
    ['inactive', () => ({ active: false }), /not active/],
    ['of another issuer', () => active({ iss: 'https://evil.example.test' }), /issuer/],
    ['expired an hour ago (while the endpoint still calls it active)', () => active({ exp: Math.floor(clock / 1000) - 3600 }), /expired/],
    ['a refresh token', () => active({ token_type: 'refresh_token' }), /bearer access token/],
  ])('a token that is %s: 401 invalid_token, nothing stored', async (_what, answer, reason) => {
    const token = opaqueToken(answer());

    const res = await refused(() => post(token));

    expectInvalidToken(res, reason);
  });

  it('an active token without the required scope: 403 insufficient_scope', async () => {
    const token = opaqueToken(active({ scope: 'openid profile' }));

    const res = await refused(() => post(token));

    expectError(res, 403, 'insufficient_scope');
    expect(header(res, 'WWW-Authenticate')).toBe('Bearer error="insufficient_scope", scope="dcr:register"');
  });

  describe('caching', () => {
    it('a second registration with the same token makes no introspection call', async () => {
      const token = opaqueToken(active());

      const first = await post(token);
      const second = await post(token);

      expect([first.status, second.status]).toEqual([201, 201]);
      expect(endpoint.callCount()).toBe(1);
    });

    it('once the cache entry has expired (60 s), the token is introspected again', async () => {
      const token = opaqueToken(active());
      await post(token);
      clock += 60_000;

      const res = await post(token);

      expect(res.status).toBe(201);
      expect(endpoint.callCount()).toBe(2);
    });

    it('never past the token exp: a token revoked at the server is refused once it has expired here', async () => {
      const token = opaqueToken(active({ exp: Math.floor(clock / 1000) + 10 }));
      const first = await post(token);
      endpoint.answers.set(token, { active: false });
      clock += 10_000;

      const second = await refused(() => post(token));

      expect(first.status).toBe(201);
      expectInvalidToken(second, /not active/);
      expect(endpoint.callCount()).toBe(2);
    });

    it('negative answers are not remembered: an inactive token is asked about every time', async () => {
      const token = opaqueToken({ active: false });

      await post(token);
      await post(token);

      expect(endpoint.callCount()).toBe(2);
    });
  });

  describe('when the endpoint cannot answer: 503 temporarily_unavailable, nothing stored', () => {
    it('the connection drops', async () => {
      const token = opaqueToken(active());
      endpoint.mode = 'drop-connection';

      expectUnavailable(await refused(() => post(token)), /could not be reached/);
    });

    it('it does not answer in time', async () => {
      const token = opaqueToken(active());
      endpoint.mode = 'hang';

      expectUnavailable(await refused(() => post(token)), /could not be reached/);
    });

    it('it fails (500)', async () => {
      const token = opaqueToken(active());
      endpoint.mode = 'fail';

      expectUnavailable(await refused(() => post(token)), /answered 500/);
    });

    it('it refuses our client credentials (401): the description blames our configuration and never shows the secret', async () => {
      const token = opaqueToken(active());
      endpoint.clientSecret = 'the secret was rotated at the server';

      const res = await refused(() => post(token));

      expectUnavailable(
        res,
        /refused this service's own client credentials.*DCR_IAT_INTROSPECTION_CLIENT_ID.*not of the initial access token/,
      );
      expect(endpoint.calls).toEqual([expect.objectContaining({ authenticated: false })]);
      expect(res.rawBody + JSON.stringify(res.headers)).not.toContain('intro:spect');
    });

    it('a failure is not cached: the same token works once the endpoint is back', async () => {
      const token = opaqueToken(active());
      endpoint.mode = 'fail';
      await post(token);
      endpoint.mode = 'answer';

      const res = await post(token);

      expect(res.status).toBe(201);
    });
  });

  describe('routing', () => {
    it('a JWT of the issuer goes to the JWT verifier, never to introspection', async () => {
      const res = await post(await h.initialAccessToken());

      expect(res.status).toBe(201);
      expect(endpoint.callCount()).toBe(0);
    });

    it('a dcriat_ token (service tokens not configured here) is refused without an introspection call', async () => {
      const res = await refused(() => post(`dcriat_${'A'.repeat(22)}_${'B'.repeat(43)}`));

      expectInvalidToken(res, /not accepted here/);
      expect(endpoint.callCount()).toBe(0);
    });
  });

  it('a registration with an introspected token costs one DynamoDB request', async () => {
    const token = opaqueToken(active());
    const before = h.dynamoDb.requestCount();

    const res = await post(token);

    expect({ status: res.status, requests: h.dynamoDb.requestCount() - before }).toEqual({ status: 201, requests: 1 });
  });
});
