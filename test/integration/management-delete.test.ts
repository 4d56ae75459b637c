import { beforeEach, describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, expectNoStore, header, useHarness } from '../support/harness.js';

// DELETE /as/clients.oauth2/{clientId} (RFC 7592 §2.3) and the Allow Client Delete setting.

const REDIRECT = 'https://app.example/cb';

describe('DELETE /as/clients.oauth2/{clientId}: deprovision', () => {
  const h = useHarness();

  const registerClient = async (): Promise<Answer> => {
    const res = await h.register({ redirect_uris: [REDIRECT] });
    expect(res.status).toBe(201);
    return res;
  };
  const remove = (client: Answer, token = client.body.registration_access_token) =>
    h.call('DELETE', clientPath(client.body.client_id), { token });

  it('answers 204 with an empty body, and the item (with its secret and token hashes) is gone', async () => {
    const client = await registerClient();
    const other = await registerClient();

    const res = await remove(client);

    expect(res.status).toBe(204);
    expect(res.rawBody).toBe('');
    expectNoStore(res);
    expect(await h.item(client.body.client_id)).toBeUndefined();
    expect(await h.item(other.body.client_id)).toBeDefined();
  });

  it('refuses the same token afterwards: GET, PUT and DELETE answer 401 invalid_token', async () => {
    const client = await registerClient();
    await remove(client);
    const token = client.body.registration_access_token;
    const path = clientPath(client.body.client_id);

    expectError(await h.call('GET', path, { token }), 401, 'invalid_token');
    expectError(
      await h.call('PUT', path, { token, body: { client_id: client.body.client_id, redirect_uris: [REDIRECT] } }),
      401,
      'invalid_token',
    );
    expectError(await h.call('DELETE', path, { token }), 401, 'invalid_token');
    expect(await h.item(client.body.client_id)).toBeUndefined();
  });

  it('deletes a client whose token was rotated by a read, with the new token only', async () => {
    const client = await registerClient();
    const read = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });
    const before = await h.items();

    expectError(await remove(client), 401, 'invalid_token');
    expect(await h.items()).toEqual(before);

    expect((await remove(client, read.body.registration_access_token)).status).toBe(204);
    expect(await h.item(client.body.client_id)).toBeUndefined();
  });

  it('with a wrong token: 401 invalid_token and the client stays', async () => {
    const client = await registerClient();
    const before = await h.items();

    const res = await remove(client, 'not-the-registration-access-token');

    expectError(res, 401, 'invalid_token');
    expect(await h.items()).toEqual(before);
  });

  describe('with Allow Client Delete off', () => {
    beforeEach(() => {
      h.configure({ allowClientDelete: false });
    });

    it('answers 405 with an empty body and Allow: GET, PUT; the client stays', async () => {
      const client = await registerClient();
      const before = await h.items();

      const res = await remove(client);

      expect(res.status).toBe(405);
      expect(res.rawBody).toBe('');
      expect(header(res, 'Allow')).toBe('GET, PUT');
      expectNoStore(res);
      expect(await h.items()).toEqual(before);
    });

    it('still lets the client read and update itself', async () => {
      const client = await registerClient();

      const read = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });
      const update = await h.call('PUT', clientPath(client.body.client_id), {
        token: read.body.registration_access_token,
        body: { client_id: client.body.client_id, redirect_uris: [REDIRECT] },
      });

      expect([read.status, update.status]).toEqual([200, 200]);
    });

    it('follows the setting at once when it is switched back on', async () => {
      const client = await registerClient();
      expect((await remove(client)).status).toBe(405);

      h.configure({ allowClientDelete: true });
      const res = await remove(client);

      expect(res.status).toBe(204);
      expect(await h.item(client.body.client_id)).toBeUndefined();
    });
  });
});
