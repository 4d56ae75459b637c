import { describe, expect, it } from 'vitest';
import { type Answer, clientPath, HARNESS_SETTINGS, useHarness } from '../support/harness.js';

// Issue 2: exactly one DynamoDB request per operation on a warm function, counted at the DynamoDB
// endpoint (settings and issuer keys are in memory here, as they are cached in a warm container).

const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('DynamoDB requests per operation', () => {
  const h = useHarness();

  /** DynamoDB requests made while `act` ran, and its answer. */
  const counted = async (act: () => Promise<Answer>): Promise<{ requests: number; res: Answer }> => {
    const before = h.dynamoDb.requestCount();
    const res = await act();
    return { requests: h.dynamoDb.requestCount() - before, res };
  };
  const registerClient = async (metadata: Record<string, unknown> = {}): Promise<Answer> => {
    const res = await h.register({ ...METADATA, ...metadata });
    expect(res.status).toBe(201);
    return res;
  };
  const read = (client: Answer) => h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });

  it('register: one', async () => {
    const token = await h.initialAccessToken();

    const { requests, res } = await counted(() => h.call('POST', '/as/clients.oauth2', { body: METADATA, token }));

    expect(res.status).toBe(201);
    expect(requests).toBe(1);
  });

  it('GET with rotation on, client with a secret: one', async () => {
    const client = await registerClient();

    const { requests, res } = await counted(() => read(client));

    expect(res.status).toBe(200);
    expect(res.body.client_secret).toBeDefined();
    expect(requests).toBe(1);
  });

  it.each<[string, Partial<typeof HARNESS_SETTINGS>]>([
    ['rotation off', { rotateClientSecret: false, rotateRegistrationAccessToken: false }],
    ['only secret rotation', { rotateRegistrationAccessToken: false }],
    ['only token rotation', { rotateClientSecret: false }],
  ])('GET with %s, client with a secret: one', async (_name, settings) => {
    const client = await registerClient();
    h.configure(settings);

    const { requests, res } = await counted(() => read(client));

    expect(res.status).toBe(200);
    expect(requests).toBe(1);
  });

  it.each<[string, Partial<typeof HARNESS_SETTINGS>]>([
    ['rotation on', {}],
    ['rotation off', { rotateClientSecret: false, rotateRegistrationAccessToken: false }],
  ])('PUT with %s, client with a secret: one', async (_name, settings) => {
    const client = await registerClient();
    h.configure(settings);

    const { requests, res } = await counted(() =>
      h.call('PUT', clientPath(client.body.client_id), {
        token: client.body.registration_access_token,
        body: { client_id: client.body.client_id, ...METADATA, client_name: 'Counted' },
      }),
    );

    expect(res.status).toBe(200);
    expect(requests).toBe(1);
  });

  it('DELETE, client with a secret: one', async () => {
    const client = await registerClient();

    const { requests, res } = await counted(() =>
      h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token }),
    );

    expect(res.status).toBe(204);
    expect(requests).toBe(1);
  });

  it('GET with both rotations on, client without a secret (none): one, guided by the token hint', async () => {
    // the registration access token names the client's kind of secret, so the one guarded UpdateItem
    // expects "no secret" and succeeds
    const client = await registerClient({ token_endpoint_auth_method: 'none' });

    const first = await counted(() => read(client));
    const second = await counted(() => read(first.res));

    expect(first.res.status).toBe(200);
    expect(first.res.body).not.toHaveProperty('client_secret');
    expect(first.requests).toBe(1);
    expect(second.requests).toBe(1);
  });

  it('GET with both rotations on, client_secret_jwt client (recoverable secret): one', async () => {
    const client = await registerClient({ token_endpoint_auth_method: 'client_secret_jwt' });

    const { requests, res } = await counted(() => read(client));

    expect(res.status).toBe(200);
    expect(res.body.client_secret).not.toBe(client.body.client_secret);
    expect(requests).toBe(1);
  });

  it('GET after a PUT changed the kind of secret while token rotation was off: three once, then one', async () => {
    // the presented token still names the old kind: the guarded write fails, the item is read
    // (GetItem) and written with a version guard (UpdateItem); the token issued then names the new kind
    h.configure({ rotateRegistrationAccessToken: false, rotateClientSecret: false });
    const client = await registerClient({ token_endpoint_auth_method: 'client_secret_basic' });
    const changed = await h.call('PUT', clientPath(client.body.client_id), {
      token: client.body.registration_access_token,
      body: { client_id: client.body.client_id, redirect_uris: client.body.redirect_uris, token_endpoint_auth_method: 'none' },
    });
    expect(changed.status).toBe(200);
    h.configure(HARNESS_SETTINGS);

    const stale = await counted(() => read(changed));
    const healed = await counted(() => read(stale.res));

    expect(stale.res.status).toBe(200);
    expect(stale.res.body).not.toHaveProperty('client_secret');
    expect(stale.requests).toBe(3);
    expect(healed.res.status).toBe(200);
    expect(healed.requests).toBe(1);
  });

  describe('with every lifecycle setting on (grace, retention, lifetime, idle expiry)', () => {
    const LIFECYCLE = {
      registrationAccessTokenGraceSeconds: 300,
      clientSecretRetentionSeconds: 3600,
      clientSecretLifetimeSeconds: 86_400,
      clientIdleLifetimeSeconds: 7_776_000,
    };

    it('register, GET, PUT and DELETE: one each', async () => {
      h.configure(LIFECYCLE);
      const token = await h.initialAccessToken();

      const registered = await counted(() => h.call('POST', '/as/clients.oauth2', { body: METADATA, token }));
      const readBack = await counted(() => read(registered.res));
      const updated = await counted(() =>
        h.call('PUT', clientPath(registered.res.body.client_id), {
          token: readBack.res.body.registration_access_token,
          body: { client_id: registered.res.body.client_id, ...METADATA, client_name: 'Counted' },
        }),
      );
      const deleted = await counted(() =>
        h.call('DELETE', clientPath(registered.res.body.client_id), { token: updated.res.body.registration_access_token }),
      );

      expect([registered, readBack, updated, deleted].map(({ res }) => res.status)).toEqual([201, 200, 200, 204]);
      expect([registered, readBack, updated, deleted].map(({ requests }) => requests)).toEqual([1, 1, 1, 1]);
    });

    it('GET without rotation, while the idle expiry is recent: one', async () => {
      h.configure({ ...LIFECYCLE, rotateClientSecret: false, rotateRegistrationAccessToken: false });
      const client = await registerClient();

      const { requests, res } = await counted(() => read(client));

      expect(res.status).toBe(200);
      expect(requests).toBe(1);
    });
  });
});
