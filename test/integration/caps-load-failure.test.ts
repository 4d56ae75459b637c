import { describe, expect, it, vi } from 'vitest';
import { clientPath, REGISTRATION_PATH, useHarness } from '../support/harness.js';
import { capturedLogs } from '../support/log-capture.js';

// The caps module is loaded on first use (lib/load-on-first-use.ts). A delete gives a client's places
// back after the client is gone, so a caps module that fails to load then must not turn the delete's
// 204 into a 500: it is logged like a place that cannot be given back.

let failLoad = false;
vi.mock('../../lib/policies/caps-on-first-use.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../lib/policies/caps-on-first-use.js')>();
  return { capsOnFirstUse: () => (failLoad ? Promise.reject(new Error('Cannot find module ./caps-XXXXXXXX.mjs')) : real.capsOnFirstUse()) };
});

describe('a delete whose caps module fails to load', () => {
  const h = useHarness();

  it('still deletes the client, answers 204 and logs each place it could not give back', async () => {
    h.configure({ requireInitialAccessToken: false, registrationPolicies: JSON.stringify({ caps: { total: 1000 } }) });
    failLoad = false;
    const created = await h.call('POST', REGISTRATION_PATH, { body: { redirect_uris: ['https://app.example/cb'] } });
    expect(created.status).toBe(201);
    const clientId = created.body.client_id as string;
    // the client holds a place in the total cap
    expect((await h.item(clientId))?.quota_counters).toEqual(['#quota#total']);

    failLoad = true;
    try {
      const { result: deleted, lines } = await capturedLogs(() =>
        h.call('DELETE', clientPath(clientId), { token: created.body.registration_access_token }),
      );
      expect(deleted.status).toBe(204);
      expect(await h.item(clientId)).toBeUndefined();
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'error', message: 'a client cap place could not be given back', counter: '#quota#total' }),
      );
    } finally {
      failLoad = false;
    }
  });
});
