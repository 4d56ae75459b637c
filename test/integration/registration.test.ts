import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  BASE_URL,
  expectError,
  expectNoStore,
  header,
  REGISTRATION_ACCESS_TOKEN,
  registeredMetadata,
  sha256,
  useHarness,
} from '../support/harness.js';

// POST /as/clients.oauth2 (RFC 7591 §3): what a registration answers and what it stores.

const REDIRECT = 'https://app.example/cb';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('POST /as/clients.oauth2: registration', () => {
  const h = useHarness();

  describe('the client information answer', () => {
    it('answers 201 with the generated credentials, the defaults and the management coordinates', async () => {
      const notBefore = nowSeconds();

      const res = await h.register({ redirect_uris: [REDIRECT] });

      const notAfter = nowSeconds();
      expect(res.status).toBe(201);
      // toMatchObject: fields of later issues may add their own defaults
      expect(res.body).toMatchObject({
        client_id: expect.stringMatching(BASE64URL),
        client_secret: expect.stringMatching(BASE64URL),
        client_secret_expires_at: 0,
        client_id_issued_at: expect.any(Number),
        registration_access_token: expect.stringMatching(REGISTRATION_ACCESS_TOKEN),
        registration_client_uri: `${BASE_URL}/as/clients.oauth2/${res.body.client_id}`,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      });
      expect(res.body.client_id_issued_at).toBeGreaterThanOrEqual(notBefore);
      expect(res.body.client_id_issued_at).toBeLessThanOrEqual(notAfter);
      expect(header(res, 'Content-Type')).toMatch(/^application\/json/);
      expectNoStore(res);
    });

    it('issues a client_id of at least 128 random bits (24 base64url characters) and 256-bit secrets and tokens', async () => {
      const res = await h.register({ redirect_uris: [REDIRECT] });

      expect(res.body.client_id).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body.registration_access_token).toMatch(REGISTRATION_ACCESS_TOKEN);
    });

    it('gives every registration its own client_id, client_secret and registration access token', async () => {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await h.register({ redirect_uris: [REDIRECT] }));

      for (const member of ['client_id', 'client_secret', 'registration_access_token']) {
        expect(new Set(answers.map((res) => res.body[member])).size).toBe(answers.length);
      }
    });

    it('ignores a client_id and client_secret sent by the client: the server generates both', async () => {
      const sent = { client_id: 'my-own-client-id', client_secret: 'my-own-secret-value-that-is-long-enough' };

      const res = await h.register({ redirect_uris: [REDIRECT], ...sent });

      expect(res.status).toBe(201);
      expect(res.body.client_id).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(res.body.client_secret).not.toBe(sent.client_secret);
      const item = await h.item(res.body.client_id);
      expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
      expect(await h.item(sent.client_id)).toBeUndefined();
      expect(item?.metadata).not.toHaveProperty('client_id');
      expect(item?.metadata).not.toHaveProperty('client_secret');
    });

    it('ignores unknown metadata: not echoed, not stored (RFC 7591 §3.1)', async () => {
      const res = await h.register({ redirect_uris: [REDIRECT], favourite_colour: 'teal', 'x-custom': { a: 1 } });

      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('favourite_colour');
      expect(res.body).not.toHaveProperty('x-custom');
      const item = await h.item(res.body.client_id);
      expect(JSON.stringify(item)).not.toContain('favourite_colour');
      expect(JSON.stringify(item)).not.toContain('teal');
    });
  });

  describe('the stored item', () => {
    it('holds the echoed metadata, SHA-256 hashes of the secret and token, version 1, who registered it and the request, and nothing else', async () => {
      const res = await h.register({ redirect_uris: [REDIRECT], client_name: 'Stored App', scope: 'read write' });

      const item = await h.item(res.body.client_id);
      expect(item).toEqual({
        client_id: res.body.client_id,
        client_id_issued_at: res.body.client_id_issued_at,
        metadata: registeredMetadata(res.body),
        client_secret_hash: sha256(res.body.client_secret),
        client_secret_expires_at: 0,
        registration_access_token_hash: sha256(res.body.registration_access_token),
        version: 1,
        updated_at: res.body.client_id_issued_at,
        // the subject of the initial access token and the request, for the lifecycle events
        registered_by: 'local-developer',
        last_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    });

    it('holds no plaintext secret and no plaintext registration access token anywhere', async () => {
      const res = await h.register({ redirect_uris: [REDIRECT] });

      const stored = JSON.stringify(await h.items());
      expect(stored).not.toContain(res.body.client_secret);
      expect(stored).not.toContain(res.body.registration_access_token);
    });
  });

  describe('a client secret only for methods that need one', () => {
    it.each(['client_secret_basic', 'client_secret_post', 'client_secret_jwt'])('issues a secret to %s clients', async (method) => {
      const res = await h.register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: method });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        token_endpoint_auth_method: method,
        client_secret: expect.stringMatching(BASE64URL),
        client_secret_expires_at: 0,
      });
      const item = await h.item(res.body.client_id);
      expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
      expect(JSON.stringify(item)).not.toContain(res.body.client_secret);
    });

    it.each([
      ['none', {}],
      ['private_key_jwt', { jwks_uri: 'https://app.example/jwks.json' }],
      // tls_client_auth_subject_dn is a later issue's field: sent so the registration stays valid once it is required
      ['tls_client_auth', { tls_client_auth_subject_dn: 'CN=app.example' }],
    ])('issues no secret to %s clients', async (method, extra) => {
      const res = await h.register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: method, ...extra });

      expect(res.status).toBe(201);
      expect(res.body.token_endpoint_auth_method).toBe(method);
      expect(res.body).not.toHaveProperty('client_secret');
      expect(res.body).not.toHaveProperty('client_secret_expires_at');
      const item = await h.item(res.body.client_id);
      expect(item).not.toHaveProperty('client_secret_hash');
      expect(item).not.toHaveProperty('client_secret_expires_at');
    });
  });

  describe('a client secret for any client that registers an HS* algorithm', () => {
    it('issues one to a none client signing ID tokens with HS256 (the HMAC key is the secret)', async () => {
      // id_token_signed_response_alg is a later issue's field; the rule under test is issue 2's
      const res = await h.register({
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'HS256',
      });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ client_secret: expect.stringMatching(BASE64URL), client_secret_expires_at: 0 });
      const item = await h.item(res.body.client_id);
      expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
      expect(JSON.stringify(item)).not.toContain(res.body.client_secret);
    });
  });

  describe('grant_types and response_types: derived from each other, and rejected when they disagree', () => {
    it.each<[string, Record<string, unknown>, string[], string[]]>([
      ['neither sent: authorization_code + code', {}, ['authorization_code'], ['code']],
      ['grant_types implicit -> response_types token', { grant_types: ['implicit'] }, ['implicit'], ['token']],
      [
        'grant_types authorization_code + implicit -> code + token',
        { grant_types: ['authorization_code', 'implicit'] },
        ['authorization_code', 'implicit'],
        ['code', 'token'],
      ],
      [
        'grant_types authorization_code + refresh_token -> code',
        { grant_types: ['authorization_code', 'refresh_token'] },
        ['authorization_code', 'refresh_token'],
        ['code'],
      ],
      ['response_types code -> grant_types authorization_code', { response_types: ['code'] }, ['authorization_code'], ['code']],
      ['response_types id_token -> grant_types implicit', { response_types: ['id_token'] }, ['implicit'], ['id_token']],
      ['response_types "id_token token" -> grant_types implicit', { response_types: ['id_token token'] }, ['implicit'], ['id_token token']],
      [
        'response_types "code id_token" -> both grants',
        { response_types: ['code id_token'] },
        ['authorization_code', 'implicit'],
        ['code id_token'],
      ],
      [
        'both sent and agreeing: kept as sent',
        { grant_types: ['authorization_code', 'implicit', 'refresh_token'], response_types: ['code', 'code token'] },
        ['authorization_code', 'implicit', 'refresh_token'],
        ['code', 'code token'],
      ],
    ])('%s', async (_name, sent, grantTypes, responseTypes) => {
      const res = await h.register({ redirect_uris: [REDIRECT], ...sent });

      expect(res.status).toBe(201);
      expect({ grant_types: res.body.grant_types, response_types: res.body.response_types }).toEqual({
        grant_types: grantTypes,
        response_types: responseTypes,
      });
      expect((await h.item(res.body.client_id))?.metadata).toMatchObject({ grant_types: grantTypes, response_types: responseTypes });
    });

    it('takes the words of a response type in any order', async () => {
      const res = await h.register({ redirect_uris: [REDIRECT], response_types: ['token id_token'] });

      expect(res.status).toBe(201);
      expect(res.body.grant_types).toEqual(['implicit']);
      expect(res.body.response_types).toHaveLength(1);
      expect(res.body.response_types[0].split(' ').sort()).toEqual(['id_token', 'token']);
    });

    it('derives no response type for client_credentials, and needs no redirect_uris then', async () => {
      const res = await h.register({ grant_types: ['client_credentials'] });

      expect(res.status).toBe(201);
      expect(res.body.grant_types).toEqual(['client_credentials']);
      expect(res.body.response_types).toEqual([]);
      expect(res.body).not.toHaveProperty('redirect_uris');
    });

    it.each<[string, Record<string, unknown>]>([
      ['code without authorization_code', { grant_types: ['client_credentials'], response_types: ['code'] }],
      ['token without implicit', { grant_types: ['authorization_code'], response_types: ['code', 'token'] }],
      ['"code id_token" without implicit', { grant_types: ['authorization_code'], response_types: ['code id_token'] }],
      ['implicit with no response type that uses it', { grant_types: ['authorization_code', 'implicit'], response_types: ['code'] }],
      [
        'authorization_code with no response type that uses it',
        { grant_types: ['authorization_code', 'implicit'], response_types: ['token'] },
      ],
    ])('rejects grant_types and response_types that disagree: %s', async (_name, sent) => {
      const before = await h.items();

      const res = await h.register({ redirect_uris: [REDIRECT], ...sent });

      expectError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toMatch(/grant_types|response_types/);
      expect(await h.items()).toEqual(before);
    });
  });

  describe('a client with a public key set', () => {
    it('registers jwks of public keys for private_key_jwt and echoes it', async () => {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'ES256' }] };

      const res = await h.register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt', jwks });

      expect(res.status).toBe(201);
      expect(res.body.jwks).toEqual(jwks);
      expect((await h.item(res.body.client_id))?.metadata.jwks).toEqual(jwks);
    });
  });
});
