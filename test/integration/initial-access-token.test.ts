import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Answer, expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// "Require Initial Access Token": POST needs a JWT from the authorization server carrying the required
// scope or one scope of the group. Tokens are minted by the harness issuer, or signed here with a key
// the verifier trusts (as if the issuer published it) to shape any claim, or with a key it does not trust.

const METADATA = { redirect_uris: ['https://app.example/cb'] };
const TRUSTED_KID = 'test-trusted';

describe('initial access tokens on POST /as/clients.oauth2', () => {
  let trustedKey: CryptoKey;
  let untrustedKey: CryptoKey;
  const h = useHarness(async () => {
    const trusted = await generateKeyPair('ES256', { extractable: true });
    trustedKey = trusted.privateKey;
    untrustedKey = (await generateKeyPair('ES256')).privateKey;
    const trustedJwk = { ...(await exportJWK(trusted.publicKey)), kid: TRUSTED_KID, alg: 'ES256', use: 'sig' };
    return { trustedKeys: [trustedJwk] };
  });

  /** A token with any claims: the issuer's by default, valid for an hour. */
  const sign = (claims: JWTPayload, key: CryptoKey = trustedKey, kid = TRUSTED_KID) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: h.issuer.issuer, sub: 'test', iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .sign(key);
  };
  const post = (token?: string, headers?: Record<string, string>) => h.call('POST', REGISTRATION_PATH, { body: METADATA, token, headers });
  const refused = async (act: () => Promise<Answer>): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expect(await h.items()).toEqual(before);
    return res;
  };
  const INVALID_TOKEN_CHALLENGE = /^Bearer error="invalid_token"(, error_description="[^"]*")?$/;

  describe('required (the default)', () => {
    it('registers with a token of the issuer carrying the required scope', async () => {
      const res = await post(await h.initialAccessToken());

      expect(res.status).toBe(201);
    });

    it('without a token: 401 invalid_token with a bare WWW-Authenticate: Bearer', async () => {
      const res = await refused(() => post());

      expectError(res, 401, 'invalid_token');
      expect(header(res, 'WWW-Authenticate')).toBe('Bearer');
    });

    // the description pattern checks each token is refused for its own reason, not an incidental one
    it.each<[string, () => Promise<string>, RegExp]>([
      ['a token that is not a JWT', async () => 'garbage', /JWT/],
      [
        'a JWT with a tampered payload',
        async () => {
          const [head, , signature] = (await h.initialAccessToken()).split('.');
          const payload = Buffer.from(JSON.stringify({ iss: h.issuer.issuer, scope: 'dcr:register', exp: 4102444800 })).toString(
            'base64url',
          );
          return `${head}.${payload}.${signature}`;
        },
        /signature/,
      ],
      ['an expired token (an hour ago)', () => h.initialAccessToken({}, -3600), /expired/],
      ['a token of another issuer', () => sign({ iss: 'https://evil.example.test', scope: 'dcr:register' }), /issuer/],
      ['a token signed by a key the issuer does not publish', () => sign({ scope: 'dcr:register' }, untrustedKey), /signature/],
      [
        'a token signed by an unknown key under a trusted kid',
        () => sign({ scope: 'dcr:register' }, untrustedKey, TRUSTED_KID),
        /signature/,
      ],
      ['a token without exp', () => sign({ scope: 'dcr:register', exp: undefined }), /\bexp\b/],
      [
        'a token not valid before tomorrow',
        () => sign({ scope: 'dcr:register', nbf: Math.floor(Date.now() / 1000) + 86_400 }),
        /not valid yet/,
      ],
    ])('%s: 401 invalid_token with WWW-Authenticate: Bearer error="invalid_token"', async (_what, token, reason) => {
      const presented = await token();

      const res = await refused(() => post(presented));

      expectError(res, 401, 'invalid_token');
      expect(header(res, 'WWW-Authenticate')).toMatch(INVALID_TOKEN_CHALLENGE);
      expect(res.body.error_description).toMatch(reason);
    });

    it('accepts a token that expired within the clock skew allowance', async () => {
      const res = await post(await sign({ scope: 'dcr:register', exp: Math.floor(Date.now() / 1000) - 5 }));

      expect(res.status).toBe(201);
    });

    it.each<[string, JWTPayload]>([
      ['another scope', { scope: 'openid profile' }],
      ['no scope at all', {}],
      ['a scope that only starts like the required one', { scope: 'dcr:register:extra' }],
    ])('a token with %s: 403 insufficient_scope naming the required scope', async (_what, claims) => {
      const presented = await sign(claims);

      const res = await refused(() => post(presented));

      expectError(res, 403, 'insufficient_scope');
      expect(header(res, 'WWW-Authenticate')).toBe('Bearer error="insufficient_scope", scope="dcr:register"');
    });

    it('accepts the required scope among others', async () => {
      const res = await post(await sign({ scope: 'openid dcr:register profile' }));

      expect(res.status).toBe(201);
    });
  });

  describe('with a scope group', () => {
    beforeEach(() => {
      h.configure({ initialAccessTokenScopes: ['a', 'b'] });
    });

    it('accepts a token with one scope of the group', async () => {
      const res = await post(await sign({ scope: 'b' }));

      expect(res.status).toBe(201);
    });

    it('accepts a token whose scp claim is an array', async () => {
      const res = await post(await sign({ scp: ['x', 'b'] }));

      expect(res.status).toBe(201);
    });

    it('refuses a token with none of the group: 403 naming the group', async () => {
      const presented = await sign({ scope: 'c dcr:register' });

      const res = await refused(() => post(presented));

      expectError(res, 403, 'insufficient_scope');
      expect(header(res, 'WWW-Authenticate')).toBe('Bearer error="insufficient_scope", scope="a b"');
    });
  });

  describe('not required', () => {
    beforeEach(() => {
      h.configure({ requireInitialAccessToken: false });
    });

    it('registers without a token', async () => {
      const res = await post();

      expect(res.status).toBe(201);
      expect(await h.item(res.body.client_id)).toBeDefined();
    });
  });
});
