import { describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { clientPath, REGISTRATION_PATH, useHarness } from '../support/harness.js';
import { capturedLogs } from '../support/log-capture.js';

// The caps module is loaded on first use (lib/load-on-first-use.ts). A delete gives a client's places
// back after the client is gone, so a caps module that fails to load then must not turn the delete's
// 204 into a 500: it is logged like a place that cannot be given back. Here the module never loads; the
// client is registered without caps (which load nothing) and then given a place by hand.

vi.mock('../../lib/policies/caps.js', () => {
  throw new Error('Cannot find module ./caps-XXXXXXXX.mjs');
});

describe('a delete whose caps module fails to load', () => {
  const h = useHarness();

  it('still deletes the client, answers 204 and logs each place it could not give back', async () => {
    h.configure({ requireInitialAccessToken: false });
    const created = await h.call('POST', REGISTRATION_PATH, { body: { redirect_uris: ['https://app.example/cb'] } });
    expect(created.status).toBe(201);
    const clientId = created.body.client_id as string;
    await createDocumentClient(h.dynamoDbConfig).update({
      TableName: h.tableName,
      Key: { client_id: clientId },
      UpdateExpression: 'SET quota_counters = :counters',
      ExpressionAttributeValues: { ':counters': ['#quota#total'] },
    });

    const { result: deleted, lines } = await capturedLogs(() =>
      h.call('DELETE', clientPath(clientId), { token: created.body.registration_access_token }),
    );
    expect(deleted.status).toBe(204);
    expect(await h.item(clientId)).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'a client cap place could not be given back',
        counter: '#quota#total',
        reason: expect.any(String),
      }),
    );
  });
});
