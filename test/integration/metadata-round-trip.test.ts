import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExtendedProperty } from '../../lib/metadata/extended-properties.js';
import { clientPath, expectError, registeredMetadata, useHarness } from '../support/harness.js';

// Issue 3 through the real handlers: a client carrying nearly every field, localized fields and
// extended properties goes through create, read and update; each answer is compared with the exact
// registered metadata (defaults included) and with the item's metadata map. Refused requests store
// and change nothing.

const CIBA = 'urn:openid:params:grant-type:ciba';
const EXTENDED: readonly ExtendedProperty[] = [
  { name: 'department', multiValued: false },
  { name: 'cost_centers', multiValued: true },
];

describe('client metadata round trips (create, read, update)', () => {
  const h = useHarness({ settings: { extendedProperties: EXTENDED } });
  let signingKey: JWK;
  let encryptionKey: JWK;
  beforeAll(async () => {
    signingKey = { ...(await exportJWK((await generateKeyPair('PS256', { extractable: true })).publicKey)), kid: 'sig', use: 'sig' };
    encryptionKey = { ...(await exportJWK((await generateKeyPair('ECDH-ES', { extractable: true })).publicKey)), kid: 'enc', use: 'enc' };
  });

  /** A web client with private_key_jwt, CIBA ping, JARM, encrypted responses and the logout endpoints. */
  const fullClient = () => ({
    redirect_uris: ['https://app.example/cb', 'https://app.example/cb2'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'PS256',
    grant_types: ['authorization_code', 'refresh_token', CIBA],
    response_types: ['code'],
    client_name: 'Example App',
    'client_name#ja-Jpan-JP': 'サンプルアプリ',
    'client_name#fr': 'Application exemple',
    client_uri: 'https://app.example/',
    logo_uri: 'https://app.example/logo.png',
    'logo_uri#fr': 'https://app.example/logo-fr.png',
    policy_uri: 'https://app.example/policy',
    'policy_uri#de-CH': 'https://app.example/de/policy',
    tos_uri: 'https://app.example/tos',
    'tos_uri#en-GB': 'https://app.example/en-gb/tos',
    'client_uri#es-419': 'https://app.example/es/',
    scope: 'openid profile email',
    contacts: ['ops@app.example'],
    jwks: { keys: [signingKey, encryptionKey] },
    software_id: 'example-app',
    software_version: '3.0.1',
    application_type: 'web',
    client_description: 'Books meeting rooms',
    subject_type: 'pairwise',
    id_token_signed_response_alg: 'ES256',
    id_token_encrypted_response_alg: 'ECDH-ES+A256KW',
    userinfo_signed_response_alg: 'RS256',
    userinfo_encrypted_response_alg: 'ECDH-ES',
    userinfo_encrypted_response_enc: 'A256GCM',
    request_object_signing_alg: 'PS256',
    request_uris: ['https://app.example/request.jwt#abc'],
    require_signed_request_object: true,
    require_pushed_authorization_requests: true,
    default_max_age: 3600,
    require_auth_time: true,
    default_acr_values: ['urn:mace:incommon:iap:silver'],
    initiate_login_uri: 'https://app.example/login',
    post_logout_redirect_uris: ['https://app.example/bye'],
    frontchannel_logout_uri: 'https://app.example/fc-logout',
    frontchannel_logout_session_required: true,
    backchannel_logout_uri: 'https://app.example/bc-logout',
    backchannel_token_delivery_mode: 'ping',
    backchannel_client_notification_endpoint: 'https://app.example/ciba',
    backchannel_authentication_request_signing_alg: 'ES256',
    backchannel_user_code_parameter: true,
    tls_client_certificate_bound_access_tokens: false,
    dpop_bound_access_tokens: true,
    authorization_signed_response_alg: 'PS256',
    authorization_encrypted_response_alg: 'RSA-OAEP-256',
    introspection_signed_response_alg: 'RS256',
    introspection_encrypted_response_alg: 'ECDH-ES+A128KW',
    introspection_encrypted_response_enc: 'A256GCM',
    authorization_details_types: ['payment_initiation'],
    department: 'Facilities',
    cost_centers: ['cc-100', 'cc-200'],
    not_a_field: 'ignored',
  });

  /** What the full client registers: everything sent but the unknown member, plus the defaults it lacks. */
  const fullClientMetadata = () => {
    const { not_a_field: _ignored, ...sent } = fullClient();
    return {
      ...sent,
      id_token_encrypted_response_enc: 'A128CBC-HS256',
      authorization_encrypted_response_enc: 'A128CBC-HS256',
      backchannel_logout_session_required: false,
    };
  };

  it('creates, reads and updates a client with every kind of field, storing exactly what it answers', async () => {
    // Act: create
    const created = await h.register(fullClient());

    // Assess
    expect(created.status).toBe(201);
    expect(registeredMetadata(created.body)).toEqual(fullClientMetadata());
    expect(created.body).not.toHaveProperty('client_secret');
    expect((await h.item(created.body.client_id))?.metadata).toEqual(fullClientMetadata());

    // Act: read
    const read = await h.call('GET', clientPath(created.body.client_id), { token: created.body.registration_access_token });

    // Assess
    expect(read.status).toBe(200);
    expect(registeredMetadata(read.body)).toEqual(fullClientMetadata());

    // Act: update to a native client; everything omitted returns to its default
    const replacement = {
      client_id: created.body.client_id,
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/oauth2redirect'],
      token_endpoint_auth_method: 'client_secret_jwt',
      token_endpoint_auth_signing_alg: 'HS256',
      'client_name#de': 'Beispiel',
      default_max_age: 0,
      cost_centers: ['cc-300'],
      department: 'Operations',
    };
    const updated = await h.call('PUT', clientPath(created.body.client_id), {
      token: read.body.registration_access_token,
      body: replacement,
    });

    // Assess
    const { client_id: _id, ...replaced } = replacement;
    const expected = {
      ...replaced,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      subject_type: 'public',
      id_token_signed_response_alg: 'RS256',
    };
    expect(updated.status).toBe(200);
    expect(registeredMetadata(updated.body)).toEqual(expected);
    expect(updated.body.client_secret).toEqual(expect.any(String));
    expect((await h.item(created.body.client_id))?.metadata).toEqual(expected);
  });

  it('keeps a native loopback redirect URI exactly as registered (its port is matched loosely by the authorization server)', async () => {
    // Act
    const res = await h.register({
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1:51004/cb', 'http://[::1]/cb', 'http://localhost/cb'],
    });

    // Assess
    expect(res.status).toBe(201);
    expect((await h.item(res.body.client_id))?.metadata).toMatchObject({
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1:51004/cb', 'http://[::1]/cb', 'http://localhost/cb'],
    });
  });

  it('ignores extended properties once the operator removes them', async () => {
    // Prepare
    h.configure({ extendedProperties: [] });

    // Act
    const res = await h.register({ redirect_uris: ['https://app.example/cb'], department: 'Facilities' });

    // Assess
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('department');
    expect((await h.item(res.body.client_id))?.metadata).not.toHaveProperty('department');
  });

  const REFUSED: readonly [string, Record<string, unknown>, string, string][] = [
    ['a string field given an array', { client_name: [] }, 'invalid_client_metadata', 'client_name must be a string, not []'],
    [
      'a string field given a number',
      { client_description: 123 },
      'invalid_client_metadata',
      'client_description must be a string, not 123',
    ],
    ['a string field given null', { initiate_login_uri: null }, 'invalid_client_metadata', 'initiate_login_uri must be a string, not null'],
    [
      'an array holding a number',
      { default_acr_values: ['a', 1] },
      'invalid_client_metadata',
      'default_acr_values must hold strings, not 1',
    ],
    [
      'a boolean given a string',
      { require_auth_time: 'true' },
      'invalid_client_metadata',
      'require_auth_time must be true or false, not "true"',
    ],
    ['redirect_uris given a string', { redirect_uris: 'https://app.example/cb' }, 'invalid_redirect_uri', 'redirect_uris must be an array'],
    ['redirect_uris holding null', { redirect_uris: [null] }, 'invalid_redirect_uri', 'redirect_uris must hold strings, not null'],
    [
      'a native http redirect to a public host',
      { application_type: 'native', redirect_uris: ['http://app.example/cb'] },
      'invalid_redirect_uri',
      'must use a loopback host',
    ],
    [
      'a localized field with a bad value',
      { 'logo_uri#fr': 'javascript:alert(1)' },
      'invalid_client_metadata',
      'logo_uri#fr must use http or https',
    ],
    [
      'a localized field with a bad tag',
      { 'client_name#en_US': 'x' },
      'invalid_client_metadata',
      'client_name#en_US does not end in a valid BCP 47 language tag',
    ],
    [
      'an extended property of the wrong shape',
      { cost_centers: 'cc-1' },
      'invalid_client_metadata',
      'cost_centers must be an array of strings',
    ],
    [
      'an over-long extended property',
      { department: 'x'.repeat(1025) },
      'invalid_client_metadata',
      'department must be at most 1024 characters',
    ],
    [
      'jwks with a private key',
      { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] } },
      'invalid_client_metadata',
      'jwks.keys[0] holds private key material ("d")',
    ],
    [
      'CIBA ping without an endpoint',
      { grant_types: ['authorization_code', CIBA], backchannel_token_delivery_mode: 'ping' },
      'invalid_client_metadata',
      'backchannel_client_notification_endpoint is required',
    ],
    [
      'a DPoP-bound client with response type token',
      { response_types: ['code token'], dpop_bound_access_tokens: true },
      'invalid_client_metadata',
      'dpop_bound_access_tokens cannot be true',
    ],
  ];

  it.each(REFUSED)('refuses a registration with %s, storing nothing', async (_, fields, error, says) => {
    // Prepare
    const before = await h.items();

    // Act
    const res = await h.register({ redirect_uris: ['https://app.example/cb'], ...fields });

    // Assess
    expectError(res, 400, error);
    expect(res.body.error_description).toContain(says);
    expect(await h.items()).toEqual(before);
  });

  it.each(REFUSED)('refuses an update with %s, changing nothing', async (_, fields, error, says) => {
    // Prepare
    const created = await h.register({ redirect_uris: ['https://app.example/cb'], client_name: 'Before', department: 'Facilities' });
    const before = await h.items();

    // Act
    const res = await h.call('PUT', clientPath(created.body.client_id), {
      token: created.body.registration_access_token,
      body: { client_id: created.body.client_id, redirect_uris: ['https://app.example/cb'], ...fields },
    });

    // Assess
    expectError(res, 400, error);
    expect(res.body.error_description).toContain(says);
    expect(await h.items()).toEqual(before);
  });
});
