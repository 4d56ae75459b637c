import { describe, expect, it } from 'vitest';
import { FIELD_NAMES } from '../../lib/metadata/field-names.js';
import { FIELDS } from '../../lib/metadata/fields.js';
import {
  CONTENT_ENCRYPTION_ALGS,
  GRANT_TYPES,
  ID_TOKEN_SIGNING_ALGS,
  KEY_MANAGEMENT_ALGS,
  RESPONSE_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from '../../lib/metadata/values.js';
import { accept, CIBA, JWKS, KEYS, REDIRECT, reject, SECTOR_URI } from '../support/metadata-fixtures.js';

// One row per field of lib/metadata/fields.ts: values it accepts (and what is stored), values it
// refuses (with the error code and a description naming the field), and the JSON type it must have.
// The coverage test below fails when a field is added to the table without rows here.

type Kind = 'string' | 'strings' | 'boolean' | 'integer' | 'object';
type Input = Record<string, unknown>;

interface Accepted {
  readonly value: unknown;
  /** Other members the request needs for this value to be valid. */
  readonly with?: Input;
  /** What is stored, when it differs from what was sent. */
  readonly stored?: unknown;
}

interface Refused {
  readonly value: unknown;
  readonly with?: Input;
  readonly error?: 'invalid_client_metadata' | 'invalid_redirect_uri';
  /** Text the description must hold; the field name by default. */
  readonly says?: string | RegExp;
}

interface FieldCase {
  readonly field: string;
  readonly kind: Kind;
  readonly accepted: readonly Accepted[];
  readonly refused: readonly Refused[];
}

const BASE: Input = { redirect_uris: [REDIRECT] };
const PRIVATE_KEY_JWT: Input = { token_endpoint_auth_method: 'private_key_jwt', jwks: JWKS };
const WITH_CIBA: Input = { grant_types: ['authorization_code', CIBA] };
const LONG = 'x'.repeat(2_049);

const uriField = (field: string, schemes: 'http' | 'https'): FieldCase => ({
  field,
  kind: 'string',
  accepted: [{ value: 'https://client.example/path?query=1' }, ...(schemes === 'http' ? [{ value: 'http://client.example/' }] : [])],
  refused: [
    { value: 'ftp://client.example/file', says: `${field} must use` },
    ...(schemes === 'https' ? [{ value: 'http://client.example/', says: `${field} must use https` }] : []),
    { value: '/relative/path', says: `${field} must be an absolute URI` },
    { value: 'https://client.example/#fragment', says: `${field} must not have a fragment` },
    { value: 'https:client.example', says: `${field} must have a host` },
    { value: `https://client.example/${LONG}`, says: `${field} must be at most` },
  ],
});

const booleanField = (field: string, needs: Input = {}): FieldCase => ({
  field,
  kind: 'boolean',
  accepted: [
    { value: true, with: needs },
    { value: false, with: needs },
  ],
  refused: [
    { value: 'true', with: needs, says: `${field} must be true or false` },
    { value: 0, with: needs, says: `${field} must be true or false` },
  ],
});

/** `<prefix>_signed_response_alg` / `_encrypted_response_alg` / `_enc`, for each response the server may sign and encrypt. */
function responseProtection(prefix: string, signingAlgs: readonly string[], refusedSigning: readonly string[]): FieldCase[] {
  return [
    {
      field: `${prefix}_signed_response_alg`,
      kind: 'string',
      accepted: signingAlgs.map((alg) => ({ value: alg })),
      refused: refusedSigning.map((alg) => ({ value: alg, says: `${prefix}_signed_response_alg does not support "${alg}"` })),
    },
    {
      field: `${prefix}_encrypted_response_alg`,
      kind: 'string',
      accepted: KEY_MANAGEMENT_ALGS.map((alg) => ({
        value: alg,
        with: alg.startsWith('RSA') || alg.startsWith('ECDH') ? { jwks: JWKS } : {},
      })),
      refused: [
        { value: 'RSA1_5', says: `${prefix}_encrypted_response_alg does not support "RSA1_5"` },
        { value: 'RSA-OAEP', says: `${prefix}_encrypted_response_alg RSA-OAEP needs the client keys` },
      ],
    },
    {
      field: `${prefix}_encrypted_response_enc`,
      kind: 'string',
      accepted: CONTENT_ENCRYPTION_ALGS.map((enc) => ({ value: enc, with: { [`${prefix}_encrypted_response_alg`]: 'dir' } })),
      refused: [
        {
          value: 'A128CBC',
          with: { [`${prefix}_encrypted_response_alg`]: 'dir' },
          says: `${prefix}_encrypted_response_enc does not support`,
        },
        { value: 'A256GCM', says: `${prefix}_encrypted_response_enc needs ${prefix}_encrypted_response_alg` },
      ],
    },
  ];
}

const CASES: readonly FieldCase[] = [
  {
    field: 'redirect_uris',
    kind: 'strings',
    accepted: [
      { value: [REDIRECT] },
      { value: ['http://client.example/cb', 'https://client.example/cb?x=1'] },
      { value: ['com.example.app:/callback'] },
    ],
    refused: [
      { value: [], error: 'invalid_redirect_uri', says: 'redirect_uris must hold at least one URI' },
      { value: ['/cb'], error: 'invalid_redirect_uri', says: 'is not an absolute URI' },
      { value: ['https://client.example/cb#x'], error: 'invalid_redirect_uri', says: 'must not have a fragment' },
      ...[
        'javascript:alert(1)',
        'vbscript:msgbox',
        'data:text/html,x',
        'blob:https://a.example/1',
        'file:///etc/passwd',
        'about:blank',
      ].map((uri) => ({ value: [uri], error: 'invalid_redirect_uri' as const, says: 'uses the forbidden scheme' })),
      { value: Array(101).fill(REDIRECT), error: 'invalid_redirect_uri', says: 'redirect_uris may hold at most 100 values' },
    ],
  },
  {
    field: 'token_endpoint_auth_method',
    kind: 'string',
    accepted: TOKEN_ENDPOINT_AUTH_METHODS.map((method) => ({
      value: method,
      with: method === 'private_key_jwt' ? { jwks: JWKS } : method === 'tls_client_auth' ? { tls_client_auth_subject_dn: 'CN=client' } : {},
    })),
    refused: [
      { value: 'client_secret', says: 'token_endpoint_auth_method does not support "client_secret"' },
      { value: 'CLIENT_SECRET_BASIC', says: 'token_endpoint_auth_method does not support' },
    ],
  },
  {
    field: 'grant_types',
    kind: 'strings',
    accepted: [
      ...GRANT_TYPES.map((grant) => ({ value: [grant] })),
      { value: ['authorization_code', 'authorization_code', 'refresh_token'], stored: ['authorization_code', 'refresh_token'] },
    ],
    refused: [
      { value: ['urn:pingidentity.com:oauth2:grant_type:validate_bearer'], says: 'cannot be registered by a dynamic client' },
      { value: ['magic'], says: 'grant_types does not support "magic"' },
      { value: [], says: 'grant_types must hold at least one grant type' },
    ],
  },
  {
    field: 'response_types',
    kind: 'strings',
    accepted: [
      ...['code', 'token', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token'].map((type) => ({
        value: [type],
      })),
      { value: ['token id_token code'], stored: ['code id_token token'] },
      { value: ['code', 'code'], stored: ['code'] },
    ],
    refused: [
      { value: ['none'], says: 'response_types does not support "none"' },
      { value: ['code code'], says: 'response_types does not support "code code"' },
      {
        value: ['code'],
        with: { grant_types: ['implicit'] },
        says: 'response_types "code" needs grant_types to include authorization_code',
      },
    ],
  },
  {
    field: 'client_name',
    kind: 'string',
    accepted: [{ value: 'Example App' }, { value: 'アプリ' }],
    refused: [
      { value: '', says: 'client_name must not be empty' },
      { value: LONG, says: 'client_name must be at most 2048 characters' },
    ],
  },
  uriField('client_uri', 'http'),
  uriField('logo_uri', 'http'),
  uriField('policy_uri', 'http'),
  uriField('tos_uri', 'http'),
  {
    field: 'scope',
    kind: 'string',
    accepted: [{ value: 'openid profile' }, { value: ' openid  openid email ', stored: 'openid email' }],
    refused: [{ value: 'openid "quoted"', says: 'scope must be space-separated scope tokens' }],
  },
  {
    field: 'contacts',
    kind: 'strings',
    accepted: [{ value: ['admin@client.example', 'ops@client.example'] }],
    refused: [
      { value: [''], says: 'contacts must not hold empty strings' },
      { value: ['x'.repeat(321)], says: 'every value of contacts must be at most 320 characters' },
    ],
  },
  uriField('jwks_uri', 'https'),
  {
    field: 'jwks',
    kind: 'object',
    accepted: [{ value: JWKS }, { value: { keys: [KEYS.ec384, KEYS.rsaEnc, KEYS.ed25519, KEYS.x25519] } }, { value: { keys: [] } }],
    refused: [
      { value: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }, says: 'jwks.keys[0] is a symmetric (oct) key' },
      { value: { keys: [KEYS.rsa, { ...KEYS.ec, d: 'AAAA' }] }, says: 'jwks.keys[1] holds private key material ("d")' },
      { value: { keys: [{ kty: 'RSA', n: KEYS.rsa.n }] }, says: 'jwks.keys[0] is not a valid "RSA" public key' },
      { value: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] }, says: 'jwks.keys[0] is an RSA key shorter than 2048 bits' },
      { value: { keys: [{ ...KEYS.ec, y: KEYS.ec384.x }] }, says: 'jwks.keys[0] is not a valid "EC" public key' },
      { value: { keys: [{ kty: 'XYZ' }] }, says: 'jwks.keys[0] is not a valid "XYZ" public key' },
      { value: { keys: [KEYS.rsa1024] }, says: 'jwks.keys[0] is an RSA key shorter than 2048 bits' },
      { value: { keys: [{ n: 'x' }] }, says: 'every member of jwks.keys must be a JWK object with a "kty" string' },
      { value: { keys: [{ kty: 1 }] }, says: 'every key of jwks needs a "kty" string' },
      { value: { keys: [{ ...KEYS.rsa, kid: 7 }] }, says: 'jwks.keys[0].kid must be a string' },
      { value: { keys: Array(21).fill(KEYS.rsa) }, says: 'jwks may hold at most 20 keys' },
      {
        value: { keys: [KEYS.rsa] },
        with: { jwks_uri: 'https://client.example/jwks' },
        says: 'jwks and jwks_uri cannot both be registered',
      },
    ],
  },
  {
    field: 'software_id',
    kind: 'string',
    accepted: [{ value: '4NRB1-0XZABZI9E6-5SM3R' }],
    refused: [
      { value: '', says: 'software_id must not be empty' },
      { value: 'x'.repeat(257), says: 'software_id must be at most 256' },
    ],
  },
  {
    field: 'software_version',
    kind: 'string',
    accepted: [{ value: '2.1.0' }],
    refused: [{ value: '', says: 'software_version must not be empty' }],
  },
  {
    field: 'tls_client_auth_subject_dn',
    kind: 'string',
    accepted: [{ value: 'CN=client.example,O=Example', with: { token_endpoint_auth_method: 'tls_client_auth' } }],
    refused: [{ value: '', with: { token_endpoint_auth_method: 'tls_client_auth' }, says: 'tls_client_auth_subject_dn must not be empty' }],
  },
  {
    field: 'token_endpoint_auth_signing_alg',
    kind: 'string',
    accepted: [
      ...['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'].map((alg) => ({
        value: alg,
        with: PRIVATE_KEY_JWT,
      })),
      ...['HS256', 'HS384', 'HS512'].map((alg) => ({ value: alg, with: { token_endpoint_auth_method: 'client_secret_jwt' } })),
    ],
    refused: [
      { value: 'none', with: PRIVATE_KEY_JWT, says: 'token_endpoint_auth_signing_alg does not support "none"' },
      { value: 'EdDSA', with: PRIVATE_KEY_JWT, says: 'token_endpoint_auth_signing_alg does not support "EdDSA"' },
    ],
  },
  {
    field: 'application_type',
    kind: 'string',
    accepted: [{ value: 'web' }, { value: 'native' }],
    refused: [{ value: 'mobile', says: 'application_type does not support "mobile"; supported: web, native' }],
  },
  {
    field: 'client_description',
    kind: 'string',
    accepted: [{ value: 'Reads your calendar' }],
    refused: [{ value: '', says: 'client_description must not be empty' }],
  },
  {
    field: 'subject_type',
    kind: 'string',
    accepted: [{ value: 'public' }, { value: 'pairwise' }],
    refused: [{ value: 'private', says: 'subject_type does not support "private"' }],
  },
  {
    field: 'sector_identifier_uri',
    kind: 'string',
    accepted: [{ value: SECTOR_URI }],
    refused: [
      { value: 'http://sector.example/redirects.json', says: 'sector_identifier_uri must use https' },
      { value: 'https://sector.example/missing.json', says: 'sector_identifier_uri could not be fetched: it answered HTTP 404' },
    ],
  },
  ...responseProtection('id_token', ID_TOKEN_SIGNING_ALGS, ['XS256', 'EdDSA']),
  ...responseProtection('userinfo', ID_TOKEN_SIGNING_ALGS, ['XS256']),
  {
    field: 'request_object_signing_alg',
    kind: 'string',
    accepted: ['RS256', 'ES256', 'PS512'].map((alg) => ({ value: alg, with: { jwks: JWKS } })),
    refused: [
      { value: 'HS256', with: { jwks: JWKS }, says: 'request_object_signing_alg does not support "HS256"' },
      { value: 'none', with: { jwks: JWKS }, says: 'request_object_signing_alg does not support "none"' },
    ],
  },
  {
    field: 'request_uris',
    kind: 'strings',
    accepted: [{ value: ['https://client.example/request.jwt#Sbc8S5y7qyMk7dJ4gtGZoqqZJx0bM2aM5Iq9gGxkxGo'] }],
    refused: [
      { value: ['http://client.example/request.jwt'], says: 'request_uris must use https' },
      { value: ['urn:example:request'], says: 'request_uris must use https' },
    ],
  },
  booleanField('require_signed_request_object'),
  booleanField('require_pushed_authorization_requests'),
  {
    field: 'default_max_age',
    kind: 'integer',
    accepted: [{ value: 0 }, { value: 3600 }],
    refused: [
      { value: -1, says: 'default_max_age must not be negative' },
      { value: 1.5, says: 'default_max_age must be a whole number' },
      { value: 2 ** 60, says: 'default_max_age must be a whole number' },
    ],
  },
  booleanField('require_auth_time'),
  {
    field: 'default_acr_values',
    kind: 'strings',
    accepted: [{ value: ['urn:mace:incommon:iap:silver', 'mfa'] }],
    refused: [{ value: [''], says: 'default_acr_values must not hold empty strings' }],
  },
  uriField('initiate_login_uri', 'https'),
  {
    field: 'post_logout_redirect_uris',
    kind: 'strings',
    accepted: [{ value: ['https://client.example/logged-out', 'com.example.app:/logout'] }],
    refused: [
      { value: ['javascript:alert(1)'], says: 'post_logout_redirect_uris: "javascript:alert(1)" uses the forbidden scheme javascript' },
      { value: ['https://client.example/#x'], says: 'must not have a fragment' },
    ],
  },
  uriField('frontchannel_logout_uri', 'http'),
  booleanField('frontchannel_logout_session_required'),
  uriField('backchannel_logout_uri', 'http'),
  booleanField('backchannel_logout_session_required'),
  {
    field: 'backchannel_token_delivery_mode',
    kind: 'string',
    accepted: [
      { value: 'poll', with: WITH_CIBA },
      { value: 'ping', with: { ...WITH_CIBA, backchannel_client_notification_endpoint: 'https://client.example/ciba' } },
    ],
    refused: [
      { value: 'push', with: WITH_CIBA, says: 'backchannel_token_delivery_mode does not support "push"; supported: poll, ping' },
      { value: 'poll', says: 'backchannel_token_delivery_mode applies only with the CIBA grant type' },
    ],
  },
  {
    field: 'backchannel_client_notification_endpoint',
    kind: 'string',
    accepted: [{ value: 'https://client.example/ciba', with: { ...WITH_CIBA, backchannel_token_delivery_mode: 'ping' } }],
    refused: [
      { value: 'http://client.example/ciba', with: WITH_CIBA, says: 'backchannel_client_notification_endpoint must use https' },
      {
        value: 'https://client.example/ciba#x',
        with: WITH_CIBA,
        says: 'backchannel_client_notification_endpoint must not have a fragment',
      },
    ],
  },
  {
    field: 'backchannel_authentication_request_signing_alg',
    kind: 'string',
    accepted: ['RS256', 'ES384', 'PS256'].map((alg) => ({ value: alg, with: { ...WITH_CIBA, jwks: JWKS } })),
    refused: [
      {
        value: 'HS256',
        with: { ...WITH_CIBA, jwks: JWKS },
        says: 'backchannel_authentication_request_signing_alg does not support "HS256"',
      },
      { value: 'ES256', with: WITH_CIBA, says: 'backchannel_authentication_request_signing_alg ES256 needs the client keys' },
    ],
  },
  booleanField('backchannel_user_code_parameter', WITH_CIBA),
  booleanField('tls_client_certificate_bound_access_tokens'),
  booleanField('dpop_bound_access_tokens'),
  ...responseProtection('authorization', RESPONSE_SIGNING_ALGS, ['none']),
  ...responseProtection('introspection', RESPONSE_SIGNING_ALGS, ['none']),
  {
    field: 'authorization_details_types',
    kind: 'strings',
    accepted: [{ value: ['payment_initiation', 'account_information'] }],
    refused: [{ value: [''], says: 'authorization_details_types must not hold empty strings' }],
  },
];

/** JSON values of the wrong type for each kind of field. */
const WRONG_TYPES: Record<Kind, readonly unknown[]> = {
  string: [[], 123, null, true, {}, ['x']],
  strings: ['https://client.example/cb', [1], [null], [['x']], null, {}, 7],
  boolean: ['true', 'false', 1, null, [], {}],
  integer: ['3600', null, true, [], {}],
  object: ['{"keys":[]}', [], null, 1, { keys: 'x' }, { keys: [1] }],
};

const errorCodeOf = (field: string) => FIELDS[field]?.error ?? 'invalid_client_metadata';

describe('client metadata fields: accepted and refused values of every field', () => {
  it('covers every field of the field table', () => {
    // Prepare / Act
    const covered = CASES.map((entry) => entry.field);

    // Assess
    expect([...covered].sort()).toEqual(Object.keys(FIELDS).sort());
    for (const entry of CASES) {
      expect(entry.accepted.length, entry.field).toBeGreaterThan(0);
      expect(entry.refused.length, entry.field).toBeGreaterThan(0);
    }
  });

  describe.each(CASES)('$field', ({ field, accepted, refused }) => {
    it.each(accepted.map((row) => [JSON.stringify(row.value).slice(0, 80), row] as const))('accepts %s', async (_, row) => {
      // Prepare
      const input = { ...BASE, ...row.with, [field]: row.value };

      // Act
      const metadata = await accept(input);

      // Assess
      expect(metadata[field]).toEqual(row.stored ?? row.value);
    });

    it.each(refused.map((row) => [JSON.stringify(row.value).slice(0, 80), row] as const))('refuses %s', async (_, row) => {
      // Prepare
      const input = { ...BASE, ...row.with, [field]: row.value };

      // Act
      const error = await reject(input);

      // Assess
      expect(error.status).toBe(400);
      expect(error.error).toBe(row.error ?? errorCodeOf(field));
      expect(error.description).toContain(field);
      if (row.says instanceof RegExp) expect(error.description).toMatch(row.says);
      else if (row.says !== undefined) expect(error.description).toContain(row.says);
    });
  });
});

describe('client metadata fields: a value of the wrong JSON type is refused, naming the field', () => {
  const rows = CASES.flatMap(({ field, kind }) => WRONG_TYPES[kind].map((value) => [field, JSON.stringify(value), value] as const));

  it.each(rows)('%s = %s', async (field, _, value) => {
    // Prepare
    const input = { ...BASE, [field]: value };

    // Act
    const error = await reject(input);

    // Assess
    expect({ status: error.status, error: error.error }).toEqual({ status: 400, error: errorCodeOf(field) });
    expect(error.description).toContain(field);
  });
});

describe('the field names without the table', () => {
  it('name exactly the fields of the table, in its order', () => {
    expect([...FIELD_NAMES]).toEqual(Object.keys(FIELDS));
  });
});
