import { beforeEach, describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, type HARNESS_SETTINGS, header, useHarness } from '../support/harness.js';

// The registration access token on GET, PUT and DELETE: a wrong token and an unknown client get the
// very same 401 (a caller must not learn which client ids exist); no token gets a bare challenge.

const REDIRECT = 'https://app.example/cb';
const UNKNOWN_CLIENT_ID = 'AAAAAAAAAAAAAAAAAAAAAAAA';

describe('registration access token checks on GET, PUT and DELETE', () => {
  const h = useHarness();

  const registerClient = async (): Promise<Answer> => {
    const res = await h.register({ redirect_uris: [REDIRECT] });
    expect(res.status).toBe(201);
    return res;
  };
  const send = (method: string, clientId: string, token?: string) =>
    h.call(method, clientPath(clientId), {
      token,
      body: method === 'PUT' ? { client_id: clientId, redirect_uris: [REDIRECT] } : undefined,
    });
  /** What a caller sees of a refusal. */
  const seen = (res: Answer) => ({ status: res.status, body: res.body, challenge: header(res, 'WWW-Authenticate') });

  const settingsCases: Array<[string, Partial<typeof HARNESS_SETTINGS>]> = [
    ['rotation on', {}],
    ['rotation off', { rotateClientSecret: false, rotateRegistrationAccessToken: false }],
  ];

  describe.each(settingsCases)('with %s', (_name, settings) => {
    beforeEach(() => {
      h.configure(settings);
    });

    it.each(['GET', 'PUT', 'DELETE'])('%s: a wrong token and an unknown client get the same 401 invalid_token', async (method) => {
      const client = await registerClient();
      const before = await h.items();

      const wrongToken = await send(method, client.body.client_id, 'wrong-token-of-the-right-shape');
      const unknownClient = await send(method, UNKNOWN_CLIENT_ID, client.body.registration_access_token);

      expectError(wrongToken, 401, 'invalid_token');
      expect(header(wrongToken, 'WWW-Authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expect(seen(unknownClient)).toEqual(seen(wrongToken));
      expect(await h.items()).toEqual(before);
    });

    it.each(['GET', 'PUT', 'DELETE'])('%s: no token gets 401 with a bare WWW-Authenticate: Bearer', async (method) => {
      const client = await registerClient();
      const before = await h.items();

      const res = await send(method, client.body.client_id);

      expectError(res, 401, 'invalid_token');
      expect(header(res, 'WWW-Authenticate')).toBe('Bearer');
      expect(await h.items()).toEqual(before);
    });
  });

  it('refuses a token sent in a scheme other than Bearer', async () => {
    const client = await registerClient();
    const before = await h.items();

    const res = await h.call('GET', clientPath(client.body.client_id), {
      headers: { authorization: `Basic ${Buffer.from(`${client.body.client_id}:${client.body.client_secret}`).toString('base64')}` },
    });

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
    expect(await h.items()).toEqual(before);
  });
});
