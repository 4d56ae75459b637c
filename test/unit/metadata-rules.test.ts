import { describe, expect, it } from 'vitest';
import { isNativeLoopbackRedirect } from '../../lib/metadata/application-type.js';
import { secretStateOf } from '../../lib/metadata/client-secret.js';
import type { MetadataContext } from '../../lib/metadata/validate.js';
import { accept, CIBA, CONTEXT, fakeSectorIdentifiers, JWKS, REDIRECT, reject, SECTOR_URI } from '../support/metadata-fixtures.js';

// Cross-field rules (lib/metadata/rules.ts, application-type.ts, the sector identifier document) and
// defaults (defaults.ts): every rule with a request it lets through and one it refuses.

type Input = Record<string, unknown>;

interface RuleCase {
  readonly rule: string;
  readonly accepted: readonly Input[];
  readonly refused: readonly { readonly input: Input; readonly error?: string; readonly says: string }[];
}

const BASE: Input = { redirect_uris: [REDIRECT] };
const WITH_CIBA: Input = { grant_types: ['authorization_code', CIBA] };
const PREFIXES = ['id_token', 'userinfo', 'authorization', 'introspection'] as const;

const RULE_CASES: readonly RuleCase[] = [
  {
    rule: 'redirect_uris are required for the authorization_code and implicit grant types',
    accepted: [{ grant_types: ['client_credentials'], redirect_uris: undefined }, { grant_types: ['authorization_code'] }],
    refused: [
      { input: { redirect_uris: undefined }, error: 'invalid_redirect_uri', says: 'redirect_uris must hold at least one URI' },
      {
        input: { grant_types: ['implicit'], redirect_uris: [] },
        error: 'invalid_redirect_uri',
        says: 'redirect_uris must hold at least one URI',
      },
    ],
  },
  {
    rule: 'jwks and jwks_uri are never both registered',
    accepted: [{ jwks: JWKS }, { jwks_uri: 'https://client.example/jwks' }],
    refused: [{ input: { jwks: JWKS, jwks_uri: 'https://client.example/jwks' }, says: 'jwks and jwks_uri cannot both be registered' }],
  },
  {
    rule: 'private_key_jwt needs the client keys',
    accepted: [
      { token_endpoint_auth_method: 'private_key_jwt', jwks: JWKS },
      { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://client.example/jwks' },
    ],
    refused: [
      {
        input: { token_endpoint_auth_method: 'private_key_jwt' },
        says: 'token_endpoint_auth_method private_key_jwt needs the client keys: send jwks or jwks_uri',
      },
    ],
  },
  {
    rule: 'an asymmetric request object signing alg needs the client keys',
    accepted: [{ request_object_signing_alg: 'PS256', jwks_uri: 'https://client.example/jwks' }],
    refused: [{ input: { request_object_signing_alg: 'PS256' }, says: 'request_object_signing_alg PS256 needs the client keys' }],
  },
  {
    rule: 'an asymmetric CIBA request signing alg needs the client keys',
    accepted: [{ ...WITH_CIBA, backchannel_authentication_request_signing_alg: 'ES256', jwks: JWKS }],
    refused: [
      {
        input: { ...WITH_CIBA, backchannel_authentication_request_signing_alg: 'ES256' },
        says: 'backchannel_authentication_request_signing_alg ES256 needs the client keys',
      },
    ],
  },
  ...PREFIXES.map((prefix) => ({
    rule: `asymmetric ${prefix} encryption needs the client keys; symmetric does not`,
    accepted: [
      { [`${prefix}_encrypted_response_alg`]: 'RSA-OAEP-256', jwks: JWKS },
      { [`${prefix}_encrypted_response_alg`]: 'ECDH-ES+A128KW', jwks_uri: 'https://client.example/jwks' },
      { [`${prefix}_encrypted_response_alg`]: 'A256KW' },
      { [`${prefix}_encrypted_response_alg`]: 'dir' },
    ],
    refused: [
      {
        input: { [`${prefix}_encrypted_response_alg`]: 'ECDH-ES' },
        says: `${prefix}_encrypted_response_alg ECDH-ES needs the client keys`,
      },
      {
        input: { [`${prefix}_encrypted_response_alg`]: 'RSA-OAEP' },
        says: `${prefix}_encrypted_response_alg RSA-OAEP needs the client keys`,
      },
    ],
  })),
  ...PREFIXES.map((prefix) => ({
    rule: `${prefix}_encrypted_response_enc needs ${prefix}_encrypted_response_alg`,
    accepted: [{ [`${prefix}_encrypted_response_alg`]: 'A128KW', [`${prefix}_encrypted_response_enc`]: 'A256GCM' }],
    refused: [
      {
        input: { [`${prefix}_encrypted_response_enc`]: 'A256GCM' },
        says: `${prefix}_encrypted_response_enc needs ${prefix}_encrypted_response_alg`,
      },
    ],
  })),
  {
    rule: 'tls_client_auth needs tls_client_auth_subject_dn',
    accepted: [
      { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=client' },
      { tls_client_auth_subject_dn: 'CN=client' },
    ],
    refused: [
      {
        input: { token_endpoint_auth_method: 'tls_client_auth' },
        says: 'tls_client_auth_subject_dn is required with token_endpoint_auth_method tls_client_auth',
      },
    ],
  },
  {
    rule: 'token_endpoint_auth_signing_alg fits the authentication method',
    accepted: [
      { token_endpoint_auth_method: 'private_key_jwt', jwks: JWKS, token_endpoint_auth_signing_alg: 'ES256' },
      { token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS512' },
      { token_endpoint_auth_method: 'client_secret_jwt' },
    ],
    refused: [
      {
        input: { token_endpoint_auth_method: 'private_key_jwt', jwks: JWKS, token_endpoint_auth_signing_alg: 'HS256' },
        says: 'token_endpoint_auth_signing_alg HS256 does not fit token_endpoint_auth_method private_key_jwt; private_key_jwt takes RS256',
      },
      {
        input: { token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'RS256' },
        says: 'token_endpoint_auth_signing_alg RS256 does not fit token_endpoint_auth_method client_secret_jwt; client_secret_jwt takes HS256, HS384, HS512',
      },
      ...['client_secret_basic', 'client_secret_post', 'none'].map((method) => ({
        input: { token_endpoint_auth_method: method, token_endpoint_auth_signing_alg: 'RS256' },
        says: `does not fit token_endpoint_auth_method ${method}: it applies only to private_key_jwt and client_secret_jwt`,
      })),
      {
        input: {
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: 'CN=c',
          token_endpoint_auth_signing_alg: 'HS256',
        },
        says: 'it applies only to private_key_jwt and client_secret_jwt',
      },
    ],
  },
  {
    rule: 'an unsigned ID token only when no response type returns one from the authorization endpoint',
    accepted: [
      { id_token_signed_response_alg: 'none' },
      { id_token_signed_response_alg: 'none', response_types: ['code token'] },
      { id_token_signed_response_alg: 'none', grant_types: ['client_credentials'], redirect_uris: undefined },
    ],
    refused: ['id_token', 'code id_token', 'id_token token', 'code id_token token'].map((type) => ({
      input: { id_token_signed_response_alg: 'none', response_types: [type] },
      says: `id_token_signed_response_alg none is not allowed with response_types "${type}"`,
    })),
  },
  {
    rule: 'the backchannel_* fields need the CIBA grant type',
    accepted: [
      { ...WITH_CIBA, backchannel_token_delivery_mode: 'poll', backchannel_user_code_parameter: true },
      { ...WITH_CIBA, backchannel_client_notification_endpoint: 'https://client.example/ciba' },
    ],
    refused: [
      { input: { backchannel_token_delivery_mode: 'poll' }, says: 'backchannel_token_delivery_mode applies only with the CIBA grant type' },
      {
        input: { backchannel_client_notification_endpoint: 'https://client.example/ciba' },
        says: 'backchannel_client_notification_endpoint applies only with the CIBA grant type',
      },
      {
        input: { backchannel_authentication_request_signing_alg: 'RS256', jwks: JWKS },
        says: 'backchannel_authentication_request_signing_alg applies only with the CIBA grant type',
      },
      { input: { backchannel_user_code_parameter: false }, says: 'backchannel_user_code_parameter applies only with the CIBA grant type' },
    ],
  },
  {
    rule: 'ping delivery needs an https notification endpoint',
    accepted: [
      { ...WITH_CIBA, backchannel_token_delivery_mode: 'ping', backchannel_client_notification_endpoint: 'https://client.example/ciba' },
      { ...WITH_CIBA, backchannel_token_delivery_mode: 'poll' },
    ],
    refused: [
      {
        input: { ...WITH_CIBA, backchannel_token_delivery_mode: 'ping' },
        says: 'backchannel_client_notification_endpoint is required with backchannel_token_delivery_mode ping',
      },
      {
        input: {
          ...WITH_CIBA,
          backchannel_token_delivery_mode: 'ping',
          backchannel_client_notification_endpoint: 'http://client.example/ciba',
        },
        says: 'backchannel_client_notification_endpoint must use https',
      },
    ],
  },
  {
    rule: 'pairwise subjects with redirect URIs on several hosts need a sector identifier',
    accepted: [
      { subject_type: 'pairwise', redirect_uris: ['https://client.example/a', 'https://client.example:8443/b'] },
      { subject_type: 'public', redirect_uris: [REDIRECT, 'https://other.example/cb'] },
      { subject_type: 'pairwise', redirect_uris: [REDIRECT, 'https://other.example/cb'], sector_identifier_uri: SECTOR_URI },
    ],
    refused: [
      {
        input: { subject_type: 'pairwise', redirect_uris: [REDIRECT, 'https://other.example/cb'] },
        says: 'subject_type pairwise with redirect_uris on 2 hosts needs sector_identifier_uri',
      },
    ],
  },
  ...['tls_client_certificate_bound_access_tokens', 'dpop_bound_access_tokens'].map((field) => ({
    rule: `${field} is never true with a response type that includes token`,
    accepted: [
      { [field]: true, response_types: ['code', 'code id_token'] },
      { [field]: false, response_types: ['code token'] },
    ],
    refused: ['token', 'code token', 'id_token token', 'code id_token token'].map((type) => ({
      input: { [field]: true, response_types: ['code', type] },
      says: `${field} cannot be true with response_types "${type}"`,
    })),
  })),
  {
    rule: 'grant types and response types agree',
    accepted: [{ grant_types: ['authorization_code', 'implicit'], response_types: ['code id_token'] }],
    refused: [
      {
        input: { grant_types: ['authorization_code'], response_types: ['token'] },
        says: 'response_types "token" needs grant_types to include implicit',
      },
    ],
  },
];

describe('cross-field rules', () => {
  describe.each(RULE_CASES)('$rule', ({ accepted, refused }) => {
    it.each(accepted.map((input) => [JSON.stringify(input).slice(0, 140), input] as const))('accepts %s', async (_, input) => {
      // Act
      const metadata = await accept({ ...BASE, ...input });

      // Assess: every member sent comes back (undefined ones stay absent)
      for (const [field, value] of Object.entries(input)) {
        if (field !== 'response_types') expect(metadata[field], field).toEqual(value);
      }
    });

    it.each(refused.map((row) => [JSON.stringify(row.input).slice(0, 140), row] as const))('refuses %s', async (_, row) => {
      // Act
      const error = await reject({ ...BASE, ...row.input });

      // Assess
      expect({ status: error.status, error: error.error }).toEqual({ status: 400, error: row.error ?? 'invalid_client_metadata' });
      expect(error.description).toContain(row.says);
    });
  });
});

describe('redirect URIs per application_type (OIDC-Reg §2, RFC 8252)', () => {
  const ACCEPTED: readonly [string, Input][] = [
    ['web + code: http', { redirect_uris: ['http://client.example/cb'] }],
    ['web + code: localhost', { redirect_uris: ['http://localhost:8080/cb'] }],
    ['web + code: a private-use scheme', { redirect_uris: ['myapp:/cb'] }],
    ['web + implicit: https on a public host', { grant_types: ['implicit'], redirect_uris: ['https://client.example/cb'] }],
    ['native: http://127.0.0.1 without a port', { application_type: 'native', redirect_uris: ['http://127.0.0.1/cb'] }],
    ['native: http://127.0.0.1 with a port', { application_type: 'native', redirect_uris: ['http://127.0.0.1:51004/oauth2redirect'] }],
    ['native: http://[::1]', { application_type: 'native', redirect_uris: ['http://[::1]:8080/cb'] }],
    ['native: http://localhost', { application_type: 'native', redirect_uris: ['http://localhost/cb'] }],
    ['native: a reverse-domain private-use scheme', { application_type: 'native', redirect_uris: ['com.example.app:/oauth2redirect'] }],
    ['native: a claimed https URI', { application_type: 'native', redirect_uris: ['https://app.example.com/oauth2redirect'] }],
    ['native + implicit: loopback http', { application_type: 'native', grant_types: ['implicit'], redirect_uris: ['http://127.0.0.1/cb'] }],
  ];
  const REFUSED: readonly [string, Input, string][] = [
    ['web + implicit: http', { grant_types: ['implicit'], redirect_uris: ['http://client.example/cb'] }, 'must use https'],
    [
      'web + implicit: https://localhost',
      { grant_types: ['implicit'], redirect_uris: ['https://localhost/cb'] },
      'must not use the host localhost',
    ],
    [
      'web + implicit: https://127.0.0.1',
      { grant_types: ['implicit'], redirect_uris: ['https://127.0.0.1/cb'] },
      'must not use the host 127.0.0.1',
    ],
    [
      'web + implicit: a private-use scheme',
      { response_types: ['code id_token'], redirect_uris: ['com.example.app:/cb'] },
      'must use https',
    ],
    [
      'native: http to a public host',
      { application_type: 'native', redirect_uris: ['http://client.example/cb'] },
      'must use a loopback host',
    ],
    ['native: a bare word scheme', { application_type: 'native', redirect_uris: ['myapp:/cb'] }, 'must be a reverse domain name'],
    [
      'native: https to a loopback host',
      { application_type: 'native', redirect_uris: ['https://127.0.0.1/cb'] },
      'must not use a loopback host with https',
    ],
    [
      'native: a dangerous scheme',
      { application_type: 'native', redirect_uris: ['javascript:alert(1)'] },
      'uses the forbidden scheme javascript',
    ],
  ];

  it.each(ACCEPTED)('accepts %s, storing the URI as sent', async (_, input) => {
    // Act
    const metadata = await accept(input);

    // Assess
    expect(metadata.redirect_uris).toEqual(input.redirect_uris);
    expect(metadata.application_type).toBe(input.application_type ?? 'web');
  });

  it.each(REFUSED)('refuses %s with invalid_redirect_uri', async (_, input, says) => {
    // Act
    const error = await reject(input);

    // Assess
    expect({ status: error.status, error: error.error }).toEqual({ status: 400, error: 'invalid_redirect_uri' });
    expect(error.description).toContain('redirect_uris');
    expect(error.description).toContain(says);
  });

  it.each([
    ['native', 'http://127.0.0.1:51004/cb', true],
    ['native', 'http://[::1]/cb', true],
    ['native', 'http://localhost:8080/cb', true],
    ['native', 'https://app.example.com/cb', false],
    ['native', 'com.example.app:/cb', false],
    ['web', 'http://127.0.0.1:51004/cb', false],
  ] as const)('tells the authorization server whether a %s client redirect %s matches any port: %s', (applicationType, uri, expected) => {
    // Act / Assess
    expect(isNativeLoopbackRedirect(applicationType, uri)).toBe(expected);
  });
});

describe('defaults', () => {
  it('completes a minimal registration with the documented defaults, and nothing else', async () => {
    // Act
    const metadata = await accept({ redirect_uris: [REDIRECT] });

    // Assess
    expect(metadata).toEqual({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      application_type: 'web',
      subject_type: 'public',
      id_token_signed_response_alg: 'RS256',
    });
  });

  it('gives a CIBA client poll delivery and no user code', async () => {
    // Act
    const metadata = await accept({ grant_types: [CIBA] });

    // Assess
    expect(metadata).toMatchObject({
      grant_types: [CIBA],
      backchannel_token_delivery_mode: 'poll',
      backchannel_user_code_parameter: false,
    });
  });

  it('keeps the CIBA values a client sends', async () => {
    // Act
    const metadata = await accept({
      grant_types: [CIBA],
      backchannel_token_delivery_mode: 'ping',
      backchannel_client_notification_endpoint: 'https://client.example/ciba',
      backchannel_user_code_parameter: true,
    });

    // Assess
    expect(metadata).toMatchObject({ backchannel_token_delivery_mode: 'ping', backchannel_user_code_parameter: true });
  });

  it.each(PREFIXES)(
    'defaults %s_encrypted_response_enc to A128CBC-HS256 when only the alg is sent, and keeps a sent enc',
    async (prefix) => {
      // Act
      const defaulted = await accept({ ...BASE, [`${prefix}_encrypted_response_alg`]: 'A128KW' });
      const sent = await accept({
        ...BASE,
        [`${prefix}_encrypted_response_alg`]: 'A128KW',
        [`${prefix}_encrypted_response_enc`]: 'A256GCM',
      });

      // Assess
      expect(defaulted[`${prefix}_encrypted_response_enc`]).toBe('A128CBC-HS256');
      expect(sent[`${prefix}_encrypted_response_enc`]).toBe('A256GCM');
    },
  );

  it.each(['frontchannel', 'backchannel'])('defaults %s_logout_session_required to false only with the logout URI', async (kind) => {
    // Act
    const withUri = await accept({ ...BASE, [`${kind}_logout_uri`]: 'https://client.example/logout' });
    const without = await accept({ ...BASE });

    // Assess
    expect(withUri[`${kind}_logout_session_required`]).toBe(false);
    expect(without).not.toHaveProperty(`${kind}_logout_session_required`);
  });

  it('drops members it does not know, including the server-assigned ones (RFC 7591 §3.1)', async () => {
    // Act
    const metadata = await accept({
      ...BASE,
      client_id: 'chosen-by-client',
      client_secret: 'chosen-by-client',
      registration_access_token: 'x',
      unknown_member: 1,
      'scope#en': 'not localizable',
    });

    // Assess
    for (const member of ['client_id', 'client_secret', 'registration_access_token', 'unknown_member', 'scope#en']) {
      expect(metadata).not.toHaveProperty(member);
    }
  });
});

describe('the sector_identifier_uri document (OIDC-Reg §5)', () => {
  const withDocument = (document: unknown): MetadataContext & { calls: string[] } => {
    const sectorIdentifiers = fakeSectorIdentifiers({ [SECTOR_URI]: document });
    return Object.assign({ ...CONTEXT, sectorIdentifiers }, { calls: sectorIdentifiers.calls });
  };

  it('accepts a JSON array of strings that lists every redirect URI, and fetches it once', async () => {
    // Prepare
    const context = withDocument(['https://elsewhere.example/cb', REDIRECT]);

    // Act
    const metadata = await accept({ ...BASE, sector_identifier_uri: SECTOR_URI }, context);

    // Assess
    expect(metadata.sector_identifier_uri).toBe(SECTOR_URI);
    expect(context.calls).toEqual([SECTOR_URI]);
  });

  it.each([
    [
      'a list without one of the redirect URIs',
      ['https://elsewhere.example/cb'],
      'sector_identifier_uri does not list the redirect URI "https://client.example/cb"',
    ],
    ['an object', { redirect_uris: [REDIRECT] }, 'sector_identifier_uri must return a JSON array of strings'],
    ['an array with a number', [REDIRECT, 7], 'sector_identifier_uri must return a JSON array of strings'],
    ['a string', REDIRECT, 'sector_identifier_uri must return a JSON array of strings'],
  ])('refuses %s with invalid_client_metadata', async (_, document, says) => {
    // Act
    const error = await reject({ ...BASE, sector_identifier_uri: SECTOR_URI }, withDocument(document));

    // Assess
    expect({ status: error.status, error: error.error, description: error.description }).toEqual({
      status: 400,
      error: 'invalid_client_metadata',
      description: expect.stringContaining(says),
    });
  });

  it('does not fetch for a request that fails another check', async () => {
    // Prepare
    const context = withDocument([REDIRECT]);

    // Act
    const error = await reject({ ...BASE, sector_identifier_uri: SECTOR_URI, token_endpoint_auth_method: 'private_key_jwt' }, context);

    // Assess
    expect(error.description).toContain('private_key_jwt needs the client keys');
    expect(context.calls).toEqual([]);
  });
});

describe('which clients get a secret, and which keep it recoverable', () => {
  it.each([
    [{ token_endpoint_auth_method: 'client_secret_basic' }, { hasSecret: true, recoverable: false }],
    [{ token_endpoint_auth_method: 'client_secret_jwt' }, { hasSecret: true, recoverable: true }],
    [{ token_endpoint_auth_method: 'none' }, { hasSecret: false, recoverable: false }],
    [{ token_endpoint_auth_method: 'private_key_jwt' }, { hasSecret: false, recoverable: false }],
    [
      { token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'HS256' },
      { hasSecret: true, recoverable: true },
    ],
    [
      { token_endpoint_auth_method: 'none', userinfo_encrypted_response_alg: 'A128KW' },
      { hasSecret: true, recoverable: true },
    ],
    [
      { token_endpoint_auth_method: 'none', id_token_encrypted_response_alg: 'dir' },
      { hasSecret: true, recoverable: true },
    ],
    [
      { token_endpoint_auth_method: 'none', id_token_encrypted_response_alg: 'RSA-OAEP' },
      { hasSecret: false, recoverable: false },
    ],
    [
      { token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
      { hasSecret: true, recoverable: false },
    ],
    // an extended property named like an alg is not a standard field and changes nothing
    [
      { token_endpoint_auth_method: 'none', partner_alg: 'HS256' },
      { hasSecret: false, recoverable: false },
    ],
  ])('%j -> %j', (metadata, expected) => {
    expect(secretStateOf(metadata)).toEqual(expected);
  });
});
