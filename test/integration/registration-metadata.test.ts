import { exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, registeredMetadata, useHarness } from '../support/harness.js';

// The metadata fields of issue 2, through the register handler: each accepted, echoed and stored as
// sent, and each rejected with the error code of docs/reference.md, a description naming the field, and
// nothing stored. (The full field-by-field suite, including later fields, lives elsewhere.)

const REDIRECT = 'https://app.example/cb';

describe('POST /as/clients.oauth2: issue-2 metadata fields', () => {
  const h = useHarness();
  let publicJwk: Record<string, unknown>;
  let privateJwk: Record<string, unknown>;
  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    publicJwk = { ...(await exportJWK(publicKey)), kid: 'client-key', use: 'sig', alg: 'ES256' };
    privateJwk = { ...(await exportJWK(privateKey)), kid: 'client-key', use: 'sig', alg: 'ES256' };
  });

  describe('accepted, echoed and stored as sent', () => {
    it('registers every field of issue 2 at once (jwks_uri variant)', async () => {
      const sent = {
        redirect_uris: [REDIRECT, 'com.example.app:/oauth2redirect', 'http://127.0.0.1:8080/cb'],
        client_name: 'Example App',
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email',
        logo_uri: 'https://app.example/logo.png',
        client_uri: 'https://app.example/',
        policy_uri: 'http://app.example/policy',
        tos_uri: 'https://app.example/tos',
        contacts: ['ops@app.example', 'dev@app.example'],
        jwks_uri: 'https://app.example/jwks.json',
        software_id: '4NRB1-0XZABZI9E6-5SM3R',
        software_version: '2.1.0',
      };

      const res = await h.register(sent);

      expect(res.status).toBe(201);
      // toMatchObject: fields of later issues may add their defaults
      expect(registeredMetadata(res.body)).toMatchObject(sent);
      expect((await h.item(res.body.client_id))?.metadata).toEqual(registeredMetadata(res.body));
    });

    it('registers a jwks of public keys', async () => {
      const sent = { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] } };

      const res = await h.register(sent);

      expect(res.status).toBe(201);
      expect(res.body.jwks).toEqual(sent.jwks);
      expect((await h.item(res.body.client_id))?.metadata.jwks).toEqual(sent.jwks);
    });

    it.each(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'tls_client_auth', 'none'])(
      'accepts token_endpoint_auth_method %s',
      async (method) => {
        const res = await h.register({
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: method,
          jwks_uri: 'https://app.example/jwks.json',
          tls_client_auth_subject_dn: 'CN=app.example',
        });

        expect(res.status).toBe(201);
        expect(res.body.token_endpoint_auth_method).toBe(method);
      },
    );

    it.each([
      'authorization_code',
      'implicit',
      'refresh_token',
      'client_credentials',
      'password',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:openid:params:grant-type:ciba',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:saml2-bearer',
    ])('accepts grant type %s', async (grant) => {
      const res = await h.register({ redirect_uris: [REDIRECT], grant_types: [grant] });

      expect(res.status).toBe(201);
      expect(res.body.grant_types).toEqual([grant]);
    });

    it.each(['code', 'token', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token'])(
      'accepts response type "%s"',
      async (type) => {
        const res = await h.register({ redirect_uris: [REDIRECT], response_types: [type] });

        expect(res.status).toBe(201);
        expect(res.body.response_types).toEqual([type]);
      },
    );

    it('needs no redirect_uris when no grant type redirects', async () => {
      const res = await h.register({ grant_types: ['client_credentials'] });

      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('redirect_uris');
    });
  });

  describe('rejected, with nothing stored', () => {
    const cases: Array<[string, () => Record<string, unknown>, string, string]> = [
      // [what, body, error, field named in the description]
      ['redirect_uris missing while authorization_code is registered', () => ({}), 'invalid_redirect_uri', 'redirect_uris'],
      [
        'redirect_uris missing while implicit is registered',
        () => ({ grant_types: ['implicit'] }),
        'invalid_redirect_uri',
        'redirect_uris',
      ],
      ['redirect_uris empty', () => ({ redirect_uris: [] }), 'invalid_redirect_uri', 'redirect_uris'],
      ['redirect_uris a string, not an array', () => ({ redirect_uris: REDIRECT }), 'invalid_redirect_uri', 'redirect_uris'],
      ['redirect_uris holding a number', () => ({ redirect_uris: [42] }), 'invalid_redirect_uri', 'redirect_uris'],
      [
        'a redirect URI with a fragment',
        () => ({ redirect_uris: ['https://app.example/cb#frag'] }),
        'invalid_redirect_uri',
        'redirect_uris',
      ],
      ['a relative redirect URI', () => ({ redirect_uris: ['/cb'] }), 'invalid_redirect_uri', 'redirect_uris'],
      ['a javascript: redirect URI', () => ({ redirect_uris: ['javascript:alert(1)'] }), 'invalid_redirect_uri', 'redirect_uris'],
      ['a vbscript: redirect URI', () => ({ redirect_uris: ['vbscript:msgbox(1)'] }), 'invalid_redirect_uri', 'redirect_uris'],
      ['a data: redirect URI', () => ({ redirect_uris: ['data:text/html,hi'] }), 'invalid_redirect_uri', 'redirect_uris'],
      ['a blob: redirect URI', () => ({ redirect_uris: ['blob:https://app.example/1'] }), 'invalid_redirect_uri', 'redirect_uris'],
      ['a file: redirect URI', () => ({ redirect_uris: ['file:///etc/passwd'] }), 'invalid_redirect_uri', 'redirect_uris'],
      ['an about: redirect URI', () => ({ redirect_uris: ['about:blank'] }), 'invalid_redirect_uri', 'redirect_uris'],
      [
        'a bad redirect URI even without redirecting grants',
        () => ({ grant_types: ['client_credentials'], redirect_uris: ['/cb'] }),
        'invalid_redirect_uri',
        'redirect_uris',
      ],
      ['client_name not a string', () => ({ redirect_uris: [REDIRECT], client_name: 42 }), 'invalid_client_metadata', 'client_name'],
      [
        'token_endpoint_auth_method unknown',
        () => ({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_magic' }),
        'invalid_client_metadata',
        'token_endpoint_auth_method',
      ],
      [
        'private_key_jwt without jwks or jwks_uri',
        () => ({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt' }),
        'invalid_client_metadata',
        'jwks',
      ],
      [
        'grant_types not an array',
        () => ({ redirect_uris: [REDIRECT], grant_types: 'authorization_code' }),
        'invalid_client_metadata',
        'grant_types',
      ],
      ['grant type unknown', () => ({ redirect_uris: [REDIRECT], grant_types: ['magic'] }), 'invalid_client_metadata', 'grant_types'],
      [
        'the validate_bearer grant, refused for dynamic clients',
        () => ({
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'urn:pingidentity.com:oauth2:grant_type:validate_bearer'],
        }),
        'invalid_client_metadata',
        'grant_types',
      ],
      [
        'response type unknown',
        () => ({ redirect_uris: [REDIRECT], response_types: ['code banana'] }),
        'invalid_client_metadata',
        'response_types',
      ],
      [
        'scope with a character outside scope-token',
        () => ({ redirect_uris: [REDIRECT], scope: 'read "write"' }),
        'invalid_client_metadata',
        'scope',
      ],
      ['scope not a string', () => ({ redirect_uris: [REDIRECT], scope: ['read'] }), 'invalid_client_metadata', 'scope'],
      [
        'logo_uri with an ftp: scheme',
        () => ({ redirect_uris: [REDIRECT], logo_uri: 'ftp://app.example/logo.png' }),
        'invalid_client_metadata',
        'logo_uri',
      ],
      ['client_uri not a URI', () => ({ redirect_uris: [REDIRECT], client_uri: 'not a uri' }), 'invalid_client_metadata', 'client_uri'],
      [
        'policy_uri with a javascript: scheme',
        () => ({ redirect_uris: [REDIRECT], policy_uri: 'javascript:alert(1)' }),
        'invalid_client_metadata',
        'policy_uri',
      ],
      ['tos_uri relative', () => ({ redirect_uris: [REDIRECT], tos_uri: '/tos' }), 'invalid_client_metadata', 'tos_uri'],
      ['contacts not an array', () => ({ redirect_uris: [REDIRECT], contacts: 'ops@app.example' }), 'invalid_client_metadata', 'contacts'],
      ['contacts holding a number', () => ({ redirect_uris: [REDIRECT], contacts: [42] }), 'invalid_client_metadata', 'contacts'],
      [
        'jwks_uri over http',
        () => ({ redirect_uris: [REDIRECT], jwks_uri: 'http://app.example/jwks.json' }),
        'invalid_client_metadata',
        'jwks_uri',
      ],
      [
        'jwks and jwks_uri together',
        () => ({ redirect_uris: [REDIRECT], jwks_uri: 'https://app.example/jwks.json', jwks: { keys: [publicJwk] } }),
        'invalid_client_metadata',
        'jwks',
      ],
      [
        'jwks holding a private key',
        () => ({ redirect_uris: [REDIRECT], jwks: { keys: [privateJwk] } }),
        'invalid_client_metadata',
        'jwks',
      ],
      [
        'jwks holding a symmetric key',
        () => ({ redirect_uris: [REDIRECT], jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }] } }),
        'invalid_client_metadata',
        'jwks',
      ],
      ['jwks not a JWK Set', () => ({ redirect_uris: [REDIRECT], jwks: [publicJwk] }), 'invalid_client_metadata', 'jwks'],
      ['software_id not a string', () => ({ redirect_uris: [REDIRECT], software_id: 42 }), 'invalid_client_metadata', 'software_id'],
      [
        'software_version not a string',
        () => ({ redirect_uris: [REDIRECT], software_version: 2.1 }),
        'invalid_client_metadata',
        'software_version',
      ],
    ];

    it.each(cases)('%s', async (_what, body, error, field) => {
      const before = await h.items();

      const res = await h.register(body());

      expectError(res, 400, error);
      expect(res.body.error_description).toContain(field);
      expect(await h.items()).toEqual(before);
    });
  });
});
