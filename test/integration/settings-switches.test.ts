import { describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectNoStore, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// "Enable Dynamic Client Registration" and "Enable Dynamic Client Registration Management": a setting
// flipped between two requests takes effect on the next one.

const REDIRECT = 'https://app.example/cb';

/** docs/reference.md: a 404 body is {"error": "not_found", "error_description": ...}, and nothing else may be in it. */
function expectNotFound(res: Answer): void {
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ error: 'not_found' });
  expect(Object.keys(res.body).filter((key) => key !== 'error' && key !== 'error_description')).toEqual([]);
  expectNoStore(res);
}

describe('the registration and management switches', () => {
  const h = useHarness();

  const registerClient = async (): Promise<Answer> => {
    const res = await h.register({ redirect_uris: [REDIRECT] });
    expect(res.status).toBe(201);
    return res;
  };
  /** Each route, called as a client allowed to call it would. */
  const routes: Array<[string, (client: Answer) => Promise<Answer>]> = [
    ['POST', async () => h.register({ redirect_uris: [REDIRECT] })],
    ['GET', (client) => h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token })],
    [
      'PUT',
      (client) =>
        h.call('PUT', clientPath(client.body.client_id), {
          token: client.body.registration_access_token,
          body: { client_id: client.body.client_id, redirect_uris: [REDIRECT] },
        }),
    ],
    ['DELETE', (client) => h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token })],
  ];

  describe('registration off', () => {
    it.each(routes)('%s answers 404 not_found and changes nothing', async (_method, call) => {
      const client = await registerClient();
      h.configure({ registrationEnabled: false });
      const before = await h.items();

      const res = await call(client);

      expectNotFound(res);
      expect(await h.items()).toEqual(before);
    });

    it('answers 404 before looking at the request: no token, no body', async () => {
      h.configure({ registrationEnabled: false });

      const res = await h.call('POST', REGISTRATION_PATH);

      expectNotFound(res);
    });

    it('answers 404 rather than 405 to DELETE when client delete is off too', async () => {
      const client = await registerClient();
      h.configure({ registrationEnabled: false, allowClientDelete: false });

      expectNotFound(await h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token }));
    });

    it('serves again as soon as it is switched back on', async () => {
      h.configure({ registrationEnabled: false });
      expect((await h.register({ redirect_uris: [REDIRECT] })).status).toBe(404);

      h.configure({ registrationEnabled: true });

      expect((await h.register({ redirect_uris: [REDIRECT] })).status).toBe(201);
    });
  });

  describe('management off', () => {
    it.each(routes.slice(1))('%s answers 404 not_found and changes nothing', async (_method, call) => {
      const client = await registerClient();
      h.configure({ managementEnabled: false });
      const before = await h.items();

      const res = await call(client);

      expectNotFound(res);
      expect(await h.items()).toEqual(before);
    });

    it('POST returns no registration_access_token or registration_client_uri, and stores no token hash', async () => {
      h.configure({ managementEnabled: false });

      const res = await h.register({ redirect_uris: [REDIRECT] });

      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('registration_access_token');
      expect(res.body).not.toHaveProperty('registration_client_uri');
      expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const item = await h.item(res.body.client_id);
      expect(item).toBeDefined();
      expect(item).not.toHaveProperty('registration_access_token_hash');
    });
  });
});
