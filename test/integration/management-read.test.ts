import { beforeEach, describe, expect, it } from 'vitest';
import {
  type Answer,
  BASE_URL,
  clientPath,
  expectError,
  expectNoStore,
  REGISTRATION_ACCESS_TOKEN,
  registeredMetadata,
  sha256,
  useHarness,
} from '../support/harness.js';

// GET /as/clients.oauth2/{clientId} (RFC 7592 §2.1) under each combination of the two rotation settings.

const REDIRECT = 'https://app.example/cb';

describe('GET /as/clients.oauth2/{clientId}: read', () => {
  const h = useHarness();

  const registerClient = async (metadata: Record<string, unknown> = {}): Promise<Answer> => {
    const res = await h.register({ redirect_uris: [REDIRECT], client_name: 'Read App', ...metadata });
    expect(res.status).toBe(201);
    return res;
  };
  const read = (clientId: string, token: string) => h.call('GET', clientPath(clientId), { token });

  describe('with both rotations on (the default)', () => {
    it('answers 200 with the client information, a new client_secret and a new registration access token', async () => {
      const registered = await registerClient();

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ...registered.body,
        client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        registration_access_token: expect.stringMatching(REGISTRATION_ACCESS_TOKEN),
      });
      expect(res.body.registration_client_uri).toBe(`${BASE_URL}/as/clients.oauth2/${registered.body.client_id}`);
      expect(res.body.client_secret).not.toBe(registered.body.client_secret);
      expect(res.body.registration_access_token).not.toBe(registered.body.registration_access_token);
      expectNoStore(res);
    });

    it('stores the hashes of the new credentials and bumps the version, keeping metadata and issue time', async () => {
      const registered = await registerClient();
      const before = await h.item(registered.body.client_id);

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      const after = await h.item(registered.body.client_id);
      expect(after).toMatchObject({
        client_id_issued_at: before?.client_id_issued_at,
        metadata: before?.metadata,
        client_secret_hash: sha256(res.body.client_secret),
        client_secret_expires_at: 0,
        registration_access_token_hash: sha256(res.body.registration_access_token),
        version: 2,
      });
      expect(JSON.stringify(after)).not.toContain(res.body.client_secret);
      expect(JSON.stringify(after)).not.toContain(res.body.registration_access_token);
    });

    it('refuses the old registration access token afterwards (401, nothing changed) and takes the new one', async () => {
      const registered = await registerClient();
      const rotated = await read(registered.body.client_id, registered.body.registration_access_token);
      const before = await h.items();

      const withOld = await read(registered.body.client_id, registered.body.registration_access_token);
      expectError(withOld, 401, 'invalid_token');
      expect(await h.items()).toEqual(before);

      const withNew = await read(registered.body.client_id, rotated.body.registration_access_token);
      expect(withNew.status).toBe(200);
    });

    it('reads a client without a secret (token_endpoint_auth_method none) and gives it none', async () => {
      const registered = await registerClient({ token_endpoint_auth_method: 'none' });

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('client_secret');
      expect(res.body).not.toHaveProperty('client_secret_expires_at');
      expect(res.body.registration_access_token).not.toBe(registered.body.registration_access_token);
      expect(registeredMetadata(res.body)).toEqual(registeredMetadata(registered.body));
      const item = await h.item(registered.body.client_id);
      expect(item).not.toHaveProperty('client_secret_hash');
      expect(item?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
    });
  });

  describe('with both rotations off', () => {
    beforeEach(() => {
      h.configure({ rotateClientSecret: false, rotateRegistrationAccessToken: false });
    });

    it('echoes the presented token, returns no client_secret and changes nothing', async () => {
      const registered = await registerClient();
      const before = await h.items();

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(res.status).toBe(200);
      const { client_secret: _secret, client_secret_expires_at: _expiresAt, ...withoutSecret } = registered.body;
      expect(res.body).toEqual(withoutSecret);
      expect(await h.items()).toEqual(before);
      expectNoStore(res);
    });

    it('keeps taking the same token', async () => {
      const registered = await registerClient();

      await read(registered.body.client_id, registered.body.registration_access_token);
      const again = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(again.status).toBe(200);
      expect(again.body.registration_access_token).toBe(registered.body.registration_access_token);
    });

    it('returns the secret of a client_secret_jwt client, which is kept recoverable (docs/reference.md)', async () => {
      const registered = await registerClient({ token_endpoint_auth_method: 'client_secret_jwt' });
      const before = await h.items();

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(res.status).toBe(200);
      expect(res.body.client_secret).toBe(registered.body.client_secret);
      expect(res.body.client_secret_expires_at).toBe(0);
      expect(await h.items()).toEqual(before);
      expect(JSON.stringify(before)).not.toContain(registered.body.client_secret);
    });
  });

  describe('with only client secret rotation on', () => {
    beforeEach(() => {
      h.configure({ rotateClientSecret: true, rotateRegistrationAccessToken: false });
    });

    it('returns a new client_secret and echoes the presented token, which keeps working', async () => {
      const registered = await registerClient();
      const before = await h.item(registered.body.client_id);

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(res.status).toBe(200);
      expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body.client_secret).not.toBe(registered.body.client_secret);
      expect(res.body.registration_access_token).toBe(registered.body.registration_access_token);
      const after = await h.item(registered.body.client_id);
      expect(after?.client_secret_hash).toBe(sha256(res.body.client_secret));
      expect(after?.registration_access_token_hash).toBe(before?.registration_access_token_hash);
      expect((await read(registered.body.client_id, registered.body.registration_access_token)).status).toBe(200);
    });

    it('reads a client without a secret, echoing the token and giving no secret', async () => {
      const registered = await registerClient({ token_endpoint_auth_method: 'none' });

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('client_secret');
      expect(res.body.registration_access_token).toBe(registered.body.registration_access_token);
      expect(await h.item(registered.body.client_id)).not.toHaveProperty('client_secret_hash');
    });
  });

  describe('with only registration access token rotation on', () => {
    beforeEach(() => {
      h.configure({ rotateClientSecret: false, rotateRegistrationAccessToken: true });
    });

    it('returns a new token and no client_secret, keeping the stored secret hash', async () => {
      const registered = await registerClient();
      const before = await h.item(registered.body.client_id);

      const res = await read(registered.body.client_id, registered.body.registration_access_token);

      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('client_secret');
      expect(res.body.registration_access_token).not.toBe(registered.body.registration_access_token);
      const after = await h.item(registered.body.client_id);
      expect(after?.client_secret_hash).toBe(before?.client_secret_hash);
      expect(after?.client_secret_hash).toBe(sha256(registered.body.client_secret));
      expect(after?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
      expectError(await read(registered.body.client_id, registered.body.registration_access_token), 401, 'invalid_token');
    });
  });

  it('lets only one of two reads racing with the same token rotate the credentials', async () => {
    const client = await registerClient();

    const answers = await Promise.all([
      read(client.body.client_id, client.body.registration_access_token),
      read(client.body.client_id, client.body.registration_access_token),
    ]);

    expect(answers.map((res) => res.status).sort()).toEqual([200, 401]);
    const winner = answers.find((res) => res.status === 200)!;
    const item = await h.item(client.body.client_id);
    expect(item?.registration_access_token_hash).toBe(sha256(winner.body.registration_access_token));
    expect(item?.client_secret_hash).toBe(sha256(winner.body.client_secret));
    expect(item?.version).toBe(2);
  });

  it('refuses the registration access token of another client (401, nothing changed)', async () => {
    const mine = await registerClient();
    const theirs = await registerClient();
    const before = await h.items();

    const res = await read(mine.body.client_id, theirs.body.registration_access_token);

    expectError(res, 401, 'invalid_token');
    expect(await h.items()).toEqual(before);
  });
});
