import { beforeAll, describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, header, useHarness } from '../support/harness.js';

// The table unreachable (the DynamoDB endpoint stops mid-test): every operation answers 503
// temporarily_unavailable with Retry-After, never a 500. In its own file: the endpoint stays down.

const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('the client table unreachable', () => {
  const h = useHarness();
  let client: Answer;
  beforeAll(async () => {
    client = await h.register(METADATA);
    expect(client.status).toBe(201);
    await h.dynamoDb.close();
  });

  it.each<[string, () => Promise<Answer>]>([
    ['POST', () => h.register(METADATA)],
    ['GET', () => h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token })],
    [
      'PUT',
      () =>
        h.call('PUT', clientPath(client.body.client_id), {
          token: client.body.registration_access_token,
          body: { client_id: client.body.client_id, ...METADATA },
        }),
    ],
    ['DELETE', () => h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token })],
  ])('%s answers 503 temporarily_unavailable with Retry-After', async (_method, act) => {
    const res = await act();

    expectError(res, 503, 'temporarily_unavailable');
    expect(header(res, 'Retry-After')).toMatch(/^\d+$/);
    expect(res.body.error_description).toContain('datastore');
  });
});
