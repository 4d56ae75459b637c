import { beforeEach, describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, expectNoStore, registeredMetadata, sha256, useHarness } from '../support/harness.js';

// PUT /as/clients.oauth2/{clientId} (RFC 7592 §2.2): a full replacement, with every rule of docs/reference.md.

const REDIRECT = 'https://app.example/cb';

describe('PUT /as/clients.oauth2/{clientId}: update', () => {
  const h = useHarness();

  const registerClient = async (metadata: Record<string, unknown> = {}): Promise<Answer> => {
    const res = await h.register({ redirect_uris: [REDIRECT], client_name: 'Update App', scope: 'read write', ...metadata });
    expect(res.status).toBe(201);
    return res;
  };
  const put = (clientId: string, token: string, body: unknown) => h.call('PUT', clientPath(clientId), { token, body });
  /** A PUT body for `client`: its client_id and the given metadata, nothing else. */
  const replacement = (client: Answer, metadata: Record<string, unknown>) => ({ client_id: client.body.client_id, ...metadata });

  describe('a full replacement', () => {
    it('answers 200 with the new metadata; omitted fields return to their defaults', async () => {
      const client = await registerClient({ token_endpoint_auth_method: 'client_secret_post' });

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: ['https://app.example/new'] }),
      );

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        client_id: client.body.client_id,
        client_id_issued_at: client.body.client_id_issued_at,
        redirect_uris: ['https://app.example/new'],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        registration_client_uri: client.body.registration_client_uri,
      });
      expect(res.body).not.toHaveProperty('client_name');
      expect(res.body).not.toHaveProperty('scope');
      expectNoStore(res);
    });

    it('stores exactly the echoed metadata, keeps client_id_issued_at and increments the version', async () => {
      const client = await registerClient();

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], client_name: 'Renamed' }),
      );

      const item = await h.item(client.body.client_id);
      expect(item?.metadata).toEqual(registeredMetadata(res.body));
      expect(item?.metadata.client_name).toBe('Renamed');
      expect(item?.metadata).not.toHaveProperty('scope');
      expect(item?.client_id_issued_at).toBe(client.body.client_id_issued_at);
      expect(item?.version).toBe(2);
    });

    it('rotates the client secret and the registration access token (both on): new hashes, old token refused', async () => {
      const client = await registerClient();

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT] }),
      );

      expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body.client_secret).not.toBe(client.body.client_secret);
      expect(res.body.client_secret_expires_at).toBe(0);
      expect(res.body.registration_access_token).not.toBe(client.body.registration_access_token);
      const item = await h.item(client.body.client_id);
      expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
      expect(item?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
      const before = await h.items();
      expectError(
        await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token }),
        401,
        'invalid_token',
      );
      expect(await h.items()).toEqual(before);
    });

    it('accepts a client_secret that matches the current one', async () => {
      const client = await registerClient();

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], client_secret: client.body.client_secret }),
      );

      expect(res.status).toBe(200);
      // rotation is on: the matching secret is replaced by a new one
      expect(res.body.client_secret).not.toBe(client.body.client_secret);
      expect(await h.item(client.body.client_id)).toMatchObject({ version: 2, client_secret_hash: sha256(res.body.client_secret) });
    });

    it('drops the secret of a client that moves to none', async () => {
      const client = await registerClient();

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
      );

      expect(res.status).toBe(200);
      expect(res.body.token_endpoint_auth_method).toBe('none');
      expect(res.body).not.toHaveProperty('client_secret');
      expect(res.body).not.toHaveProperty('client_secret_expires_at');
      const item = await h.item(client.body.client_id);
      expect(item).not.toHaveProperty('client_secret_hash');
      expect(item).not.toHaveProperty('client_secret_expires_at');
    });

    it('drops the secret of a client that moves to private_key_jwt', async () => {
      const client = await registerClient();

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, {
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: 'https://app.example/jwks.json',
        }),
      );

      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('client_secret');
      expect(await h.item(client.body.client_id)).not.toHaveProperty('client_secret_hash');
    });

    it('issues a new secret to a client that moves back to client_secret_basic', async () => {
      const client = await registerClient({ token_endpoint_auth_method: 'none' });

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' }),
      );

      expect(res.status).toBe(200);
      expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body.client_secret_expires_at).toBe(0);
      const item = await h.item(client.body.client_id);
      expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
      expect(item?.client_secret_expires_at).toBe(0);
      expect(JSON.stringify(item)).not.toContain(res.body.client_secret);
    });
  });

  describe('with both rotations off', () => {
    beforeEach(() => {
      h.configure({ rotateClientSecret: false, rotateRegistrationAccessToken: false });
    });

    it('echoes the presented token, returns no client_secret and keeps the secret and token hashes', async () => {
      const client = await registerClient();
      const before = await h.item(client.body.client_id);

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], client_name: 'Kept' }),
      );

      expect(res.status).toBe(200);
      expect(res.body.registration_access_token).toBe(client.body.registration_access_token);
      expect(res.body).not.toHaveProperty('client_secret');
      expect(res.body.client_name).toBe('Kept');
      const after = await h.item(client.body.client_id);
      expect(after?.client_secret_hash).toBe(before?.client_secret_hash);
      expect(after?.registration_access_token_hash).toBe(before?.registration_access_token_hash);
      expect(after?.version).toBe(2);
    });

    it('issues a secret to a client that had none and moves to client_secret_post', async () => {
      const client = await registerClient({ token_endpoint_auth_method: 'none' });

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' }),
      );

      expect(res.status).toBe(200);
      expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await h.item(client.body.client_id))?.client_secret_hash).toBe(sha256(res.body.client_secret));
    });
  });

  describe('a client_secret_jwt client, whose secret is kept recoverable', () => {
    it('gets its current secret back from a PUT with rotation off', async () => {
      const client = await registerClient({ token_endpoint_auth_method: 'client_secret_jwt' });
      h.configure({ rotateClientSecret: false, rotateRegistrationAccessToken: false });

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_jwt' }),
      );

      expect(res.status).toBe(200);
      expect(res.body.client_secret).toBe(client.body.client_secret);
      expect(res.body.client_secret_expires_at).toBe(0);
      const item = await h.item(client.body.client_id);
      expect(item?.client_secret_hash).toBe(sha256(client.body.client_secret));
      expect(JSON.stringify(item)).not.toContain(client.body.client_secret);
    });

    it('keeps the secret but stops returning it when it moves to client_secret_basic with rotation off', async () => {
      const client = await registerClient({ token_endpoint_auth_method: 'client_secret_jwt' });
      h.configure({ rotateClientSecret: false, rotateRegistrationAccessToken: false });

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' }),
      );
      const read = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });

      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('client_secret');
      expect(read.body).not.toHaveProperty('client_secret');
      expect((await h.item(client.body.client_id))?.client_secret_hash).toBe(sha256(client.body.client_secret));
    });

    it('gets a new, recoverable secret when a client_secret_basic client moves to it with rotation off', async () => {
      const client = await registerClient({ token_endpoint_auth_method: 'client_secret_basic' });
      h.configure({ rotateClientSecret: false, rotateRegistrationAccessToken: false });

      const res = await put(
        client.body.client_id,
        client.body.registration_access_token,
        replacement(client, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_jwt' }),
      );
      const read = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });

      expect(res.status).toBe(200);
      // the old secret was kept only as a hash, so it cannot become recoverable: a new one is issued
      expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body.client_secret).not.toBe(client.body.client_secret);
      expect(read.body.client_secret).toBe(res.body.client_secret);
      expect((await h.item(client.body.client_id))?.client_secret_hash).toBe(sha256(res.body.client_secret));
    });
  });

  describe('refused with 400, nothing changed', () => {
    const refused = async (client: Answer, body: unknown, error: string): Promise<Answer> => {
      const before = await h.items();
      const res = await put(client.body.client_id, client.body.registration_access_token, body);
      expectError(res, 400, error);
      expect(await h.items()).toEqual(before);
      return res;
    };

    it.each<[string, (client: Answer) => unknown]>([
      ['registration_access_token', (client) => client.body.registration_access_token],
      ['registration_client_uri', (client) => client.body.registration_client_uri],
      ['client_secret_expires_at', () => 0],
      ['client_id_issued_at', (client) => client.body.client_id_issued_at],
    ])('a body with %s (server-assigned): invalid_request', async (field, value) => {
      const client = await registerClient();

      const res = await refused(client, replacement(client, { redirect_uris: [REDIRECT], [field]: value(client) }), 'invalid_request');

      expect(res.body.error_description).toContain(field);
    });

    it('a body without client_id: invalid_request', async () => {
      const client = await registerClient();

      const res = await refused(client, { redirect_uris: [REDIRECT] }, 'invalid_request');

      expect(res.body.error_description).toContain('client_id');
    });

    it('a client_id that differs from the path: invalid_request', async () => {
      const client = await registerClient();
      const other = await registerClient();

      const res = await refused(client, { client_id: other.body.client_id, redirect_uris: [REDIRECT] }, 'invalid_request');

      expect(res.body.error_description).toContain('client_id');
    });

    it('a client_secret that differs from the current one: invalid_request', async () => {
      const client = await registerClient();

      const res = await refused(
        client,
        replacement(client, { redirect_uris: [REDIRECT], client_secret: 'not-the-current-secret' }),
        'invalid_request',
      );

      expect(res.body.error_description).toContain('client_secret');
    });

    it('a client_secret sent for a client that has none: invalid_request', async () => {
      const client = await registerClient({ token_endpoint_auth_method: 'none' });

      const res = await refused(
        client,
        replacement(client, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_secret: 'anything' }),
        'invalid_request',
      );

      expect(res.body.error_description).toContain('client_secret');
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      ['redirect_uris missing while authorization_code is registered', {}, 'invalid_redirect_uri', 'redirect_uris'],
      ['a redirect URI with a fragment', { redirect_uris: ['https://app.example/cb#x'] }, 'invalid_redirect_uri', 'redirect_uris'],
      [
        'an unknown token_endpoint_auth_method',
        { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'magic' },
        'invalid_client_metadata',
        'token_endpoint_auth_method',
      ],
      [
        'jwks_uri over http',
        { redirect_uris: [REDIRECT], jwks_uri: 'http://app.example/jwks.json' },
        'invalid_client_metadata',
        'jwks_uri',
      ],
      [
        'grant and response types that disagree',
        { redirect_uris: [REDIRECT], grant_types: ['client_credentials'], response_types: ['code'] },
        'invalid_client_metadata',
        'types',
      ],
    ])('metadata that fails validation again (%s)', async (_what, metadata, error, field) => {
      const client = await registerClient();

      const res = await refused(client, replacement(client, metadata), error);

      expect(res.body.error_description).toContain(field);
    });
  });
});
