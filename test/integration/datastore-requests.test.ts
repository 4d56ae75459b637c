import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientPath, HARNESS_SETTINGS, startHarness, type Answer, type Harness } from '../support/harness.js';

// Issue 2: exactly one DynamoDB request per operation on a warm function, counted at the DynamoDB
// endpoint (settings and issuer keys are in memory here, as they are cached in a warm container).

const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('DynamoDB requests per operation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.configure(HARNESS_SETTINGS);
  });

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

    const { requests, res } = await counted(() => h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token }));

    expect(res.status).toBe(204);
    expect(requests).toBe(1);
  });

  it('GET with both rotations on, client without a secret (none): three, the documented fallback', async () => {
    // read.ts first tries the one guarded UpdateItem that fits a client with a secret; for a
    // secretless client that guard fails, so it reads the item (GetItem) to tell a wrong token from a
    // secretless client, then writes the new token with a guard for "no secret" (UpdateItem): 3.
    const client = await registerClient({ token_endpoint_auth_method: 'none' });

    const { requests, res } = await counted(() => read(client));

    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('client_secret');
    expect(requests).toBe(3);
  });

  it('GET with both rotations on, client_secret_jwt client (recoverable secret): three, the same fallback', async () => {
    // the first guarded UpdateItem expects the usual hash-only secret; a recoverable one fails that
    // guard, so the item is read (GetItem) and rewritten with a sealed new secret (UpdateItem): 3.
    const client = await registerClient({ token_endpoint_auth_method: 'client_secret_jwt' });

    const { requests, res } = await counted(() => read(client));

    expect(res.status).toBe(200);
    expect(res.body.client_secret).not.toBe(client.body.client_secret);
    expect(requests).toBe(3);
  });
});
