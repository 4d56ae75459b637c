import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { parsePolicyConfig } from '../../lib/policies/config.js';
import { applyPolicies } from '../../lib/policies/pipeline.js';

// Each built-in policy on request bodies, without I/O: what it lets through unchanged, what it
// adjusts, and what it refuses with which error. The handlers' side is in test/integration/policies-*.

type Body = Record<string, unknown>;

/** Runs `policy` (one entry of the anonymous list) on `body`. */
async function run(policy: Record<string, unknown>, body: Body): Promise<Body> {
  const config = parsePolicyConfig(JSON.stringify({ anonymous: [policy] }));
  return (await applyPolicies(config, ['anonymous'], body)).body;
}

async function refusal(policy: Record<string, unknown>, body: Body): Promise<RegistrationError> {
  const error = await run(policy, body).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RegistrationError);
  return error as RegistrationError;
}

const REDIRECT = 'https://app.example.com/cb';

describe('built-in registration policies', () => {
  it('work on a copy: the parsed body is never changed', async () => {
    const body = { redirect_uris: [REDIRECT] };

    const adjusted = await run({ policy: 'scopes', default: ['openid'] }, body);

    expect(adjusted).toEqual({ redirect_uris: [REDIRECT], scope: 'openid' });
    expect(body).toEqual({ redirect_uris: [REDIRECT] });
  });

  describe('response-types', () => {
    const onlyCode = { policy: 'response-types', allowed: ['code'] };

    it.each<[string, Body]>([
      ['the default (code)', {}],
      ['code, sent', { response_types: ['code'] }],
      ['no response types at all', { grant_types: ['client_credentials'], response_types: [] }],
      ['a malformed value, left to validation', { response_types: 'code token' }],
    ])('lets through %s unchanged', async (_what, body) => {
      expect(await run(onlyCode, body)).toEqual(body);
    });

    it('compares word sets: "id_token code" is "code id_token"', async () => {
      const body = { grant_types: ['authorization_code', 'implicit'], response_types: ['id_token code'] };

      expect(await run({ policy: 'response-types', allowed: ['code id_token'] }, body)).toEqual(body);
    });

    it('refuses an unlisted response type (reject, the default)', async () => {
      const error = await refusal(onlyCode, { grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'token'] });

      expect(error).toMatchObject({
        status: 400,
        error: 'invalid_client_metadata',
        description: 'response_types "token" may not be registered here; allowed: "code"',
      });
    });

    it('counts response types derived from grant_types', async () => {
      const error = await refusal(onlyCode, { grant_types: ['implicit'] });

      expect(error.description).toBe('response_types "token" (derived from grant_types) may not be registered here; allowed: "code"');
    });

    it('drops unlisted ones, and the redirect grant no remaining type uses', async () => {
      const body = { grant_types: ['authorization_code', 'implicit', 'refresh_token'], response_types: ['code', 'token'] };

      const adjusted = await run({ ...onlyCode, unlisted: 'drop' }, body);

      expect(adjusted).toEqual({ grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] });
    });

    it('refuses a registration left with none allowed', async () => {
      const error = await refusal({ ...onlyCode, unlisted: 'drop' }, { grant_types: ['implicit'], response_types: ['token', 'id_token'] });

      expect(error).toMatchObject({
        error: 'invalid_client_metadata',
        description: 'none of the response_types "token", "id_token" may be registered here; allowed: "code"',
      });
    });

    it('with an empty allowed list, only clients without response types pass', async () => {
      const none = { policy: 'response-types', allowed: [] };

      expect(await run(none, { grant_types: ['client_credentials'] })).toEqual({ grant_types: ['client_credentials'] });
      expect((await refusal(none, {})).description).toBe(
        'response_types "code" (derived from grant_types) may not be registered here; allowed: none',
      );
    });
  });

  describe('grant-types', () => {
    const codeAndRefresh = { policy: 'grant-types', allowed: ['authorization_code', 'refresh_token'] };

    it('lets listed grants through unchanged, the default included', async () => {
      expect(await run(codeAndRefresh, {})).toEqual({});
      expect(await run(codeAndRefresh, { grant_types: ['refresh_token', 'authorization_code'] })).toEqual({
        grant_types: ['refresh_token', 'authorization_code'],
      });
    });

    it('refuses an unlisted grant (reject, the default)', async () => {
      const error = await refusal(codeAndRefresh, { grant_types: ['authorization_code', 'client_credentials'] });

      expect(error).toMatchObject({
        error: 'invalid_client_metadata',
        description: 'grant_types "client_credentials" may not be registered here; allowed: "authorization_code", "refresh_token"',
      });
    });

    it('refuses the default authorization_code when it is not listed', async () => {
      const error = await refusal({ policy: 'grant-types', allowed: ['client_credentials'] }, {});

      expect(error.description).toBe(
        'grant_types "authorization_code" (the default, or derived from response_types) may not be registered here; allowed: "client_credentials"',
      );
    });

    it('drops unlisted grants and the response types that need them', async () => {
      const body = { grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'code token'] };

      const adjusted = await run({ ...codeAndRefresh, unlisted: 'drop' }, body);

      expect(adjusted).toEqual({ grant_types: ['authorization_code'], response_types: ['code'] });
    });

    it('refuses a registration left with no grant', async () => {
      const error = await refusal({ ...codeAndRefresh, unlisted: 'drop' }, { grant_types: ['implicit'] });

      expect(error.description).toBe(
        'none of the grant_types "implicit" may be registered here; allowed: "authorization_code", "refresh_token"',
      );
    });
  });

  describe('scopes', () => {
    const allowed = { policy: 'scopes', allowed: ['openid', 'profile', 'api:read'] };

    it('lets allowed scopes through unchanged', async () => {
      expect(await run(allowed, { scope: 'openid api:read' })).toEqual({ scope: 'openid api:read' });
    });

    it('refuses unknown scopes (reject, the default), naming them', async () => {
      const error = await refusal(allowed, { scope: 'openid admin api:write' });

      expect(error).toMatchObject({
        status: 400,
        error: 'invalid_client_metadata',
        description: 'scope holds values that may not be registered here: "admin", "api:write"',
      });
    });

    it('drops unknown scopes', async () => {
      expect(await run({ ...allowed, unlisted: 'drop' }, { scope: 'admin openid' })).toEqual({ scope: 'openid' });
    });

    it('registers the default scopes when none are requested', async () => {
      const withDefault = { ...allowed, default: ['openid', 'profile'] };

      expect(await run(withDefault, {})).toEqual({ scope: 'openid profile' });
      expect(await run(withDefault, { scope: '' })).toEqual({ scope: 'openid profile' });
    });

    it('with drop, registers the default when no requested scope is left, and no scope without a default', async () => {
      expect(await run({ ...allowed, unlisted: 'drop', default: ['openid'] }, { scope: 'admin' })).toEqual({ scope: 'openid' });
      expect(await run({ ...allowed, unlisted: 'drop' }, { scope: 'admin' })).toEqual({});
    });

    it('leaves a scope that is not a string to validation', async () => {
      expect(await run({ ...allowed, default: ['openid'] }, { scope: ['openid'] })).toEqual({ scope: ['openid'] });
    });
  });

  describe('trusted-redirect-hosts', () => {
    const trusted = { policy: 'trusted-redirect-hosts', hosts: ['app.example.com', '.partner.example'] };

    it.each([
      'https://app.example.com/cb',
      'https://APP.example.com:8443/cb',
      'https://login.partner.example/cb',
      'https://a.b.partner.example/cb',
      'com.example.app:/oauth2redirect',
      'example.partner.login:/cb',
    ])('accepts %s', async (uri) => {
      expect(await run(trusted, { redirect_uris: [uri] })).toEqual({ redirect_uris: [uri] });
    });

    it.each([
      'https://evil.example/cb',
      'https://app.example.com.evil.example/cb',
      'https://partner.example/cb',
      'https://evilpartner.example/cb',
      'http://127.0.0.1:5000/cb',
      'myapp:/cb',
      'com.evil.app:/cb',
    ])('refuses %s with invalid_redirect_uri', async (uri) => {
      const error = await refusal(trusted, { redirect_uris: [REDIRECT, uri] });

      expect(error).toMatchObject({
        status: 400,
        error: 'invalid_redirect_uri',
        description: `redirect_uris: ${JSON.stringify(uri)} is not on a host this server trusts for redirects`,
      });
    });

    it('lets native clients use loopback redirects only when allowed', async () => {
      const body = { application_type: 'native', redirect_uris: ['http://127.0.0.1:51004/cb'] };

      expect(await run({ ...trusted, allow_native_loopback: true }, body)).toEqual(body);
      expect((await refusal(trusted, body)).error).toBe('invalid_redirect_uri');
      expect((await refusal({ ...trusted, allow_native_loopback: true }, { redirect_uris: ['http://127.0.0.1:51004/cb'] })).error).toBe(
        'invalid_redirect_uri',
      );
    });

    it('checks client_uri, logo_uri, policy_uri, tos_uri (and their language-tagged variants) when asked', async () => {
      const checking = { ...trusted, also_check: ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'post_logout_redirect_uris'] };
      const good = {
        redirect_uris: [REDIRECT],
        client_uri: 'https://app.example.com',
        'logo_uri#fr': 'https://cdn.partner.example/logo.png',
      };

      expect(await run(checking, good)).toEqual(good);
      expect(await run(trusted, { ...good, tos_uri: 'https://evil.example/tos' })).toMatchObject({ tos_uri: 'https://evil.example/tos' });
      for (const [field, value] of [
        ['policy_uri', 'https://evil.example/policy'],
        ['logo_uri#de', 'https://evil.example/logo.png'],
        ['post_logout_redirect_uris', ['https://evil.example/bye']],
      ] as const) {
        const error = await refusal(checking, { ...good, [field]: value });
        expect(error).toMatchObject({
          error: 'invalid_client_metadata',
          description: expect.stringMatching(new RegExp(`^${field}: .* is not on a host this server trusts$`)),
        });
      }
    });
  });

  describe('https-redirect-uris', () => {
    const https = { policy: 'https-redirect-uris' };

    it.each(['https://app.example.com/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'http://localhost:3000/cb'])(
      'accepts %s',
      async (uri) => {
        expect(await run(https, { redirect_uris: [uri] })).toEqual({ redirect_uris: [uri] });
      },
    );

    it.each(['http://app.example.com/cb', 'com.example.app:/cb', 'ftp://app.example.com/cb'])(
      'refuses %s with invalid_redirect_uri',
      async (uri) => {
        const error = await refusal(https, { redirect_uris: [uri] });

        expect(error).toMatchObject({
          status: 400,
          error: 'invalid_redirect_uri',
          description: `redirect_uris: ${JSON.stringify(uri)} must use https (or http for loopback hosts)`,
        });
      },
    );

    it('refuses loopback http when loopback is not allowed, and accepts private-use schemes when they are', async () => {
      expect((await refusal({ ...https, allow_loopback: false }, { redirect_uris: ['http://127.0.0.1/cb'] })).description).toBe(
        'redirect_uris: "http://127.0.0.1/cb" must use https',
      );
      expect(await run({ ...https, allow_private_use_schemes: true }, { redirect_uris: ['com.example.app:/cb'] })).toEqual({
        redirect_uris: ['com.example.app:/cb'],
      });
    });
  });

  describe('software-statement', () => {
    const statement = {
      policy: 'software-statement',
      issuers: [
        {
          issuer: 'https://ssa.example',
          jwks: {
            keys: [
              {
                kty: 'EC',
                crv: 'P-256',
                x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
                y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
              },
            ],
          },
        },
      ],
    };

    it('is optional by default: a registration without one passes unchanged', async () => {
      expect(await run(statement, { redirect_uris: [REDIRECT] })).toEqual({ redirect_uris: [REDIRECT] });
    });

    it.each<[string, Body, string, string]>([
      ['missing where required', {}, 'invalid_software_statement', 'a software_statement is required to register here'],
      [
        'not a string',
        { software_statement: { iss: 'x' } },
        'invalid_software_statement',
        'software_statement must be a signed JWT (a string)',
      ],
      ['not a JWT', { software_statement: 'hello' }, 'invalid_software_statement', 'software_statement is not a JWT'],
    ])('refuses a statement %s', async (_what, body, error, description) => {
      expect(await refusal({ ...statement, required: true }, body)).toMatchObject({ status: 400, error, description });
    });
  });
});
