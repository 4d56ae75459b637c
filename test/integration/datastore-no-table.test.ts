import { describe, expect, it } from 'vitest';
import { clientPath, expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// "External client datastore": without a configured table, registration stays inactive (503 with a
// description saying so) on every route.

const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('no client table configured', () => {
  const h = useHarness({ withStore: false });

  it.each<[string, string, () => string, unknown]>([
    ['POST', REGISTRATION_PATH, () => 'ignored', METADATA],
    ['GET', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA'), () => 'some-registration-access-token', undefined],
    [
      'PUT',
      clientPath('AAAAAAAAAAAAAAAAAAAAAAAA'),
      () => 'some-registration-access-token',
      { client_id: 'AAAAAAAAAAAAAAAAAAAAAAAA', ...METADATA },
    ],
    ['DELETE', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA'), () => 'some-registration-access-token', undefined],
  ])('%s answers 503 temporarily_unavailable saying no datastore is configured', async (method, path, token, body) => {
    const presented = method === 'POST' ? await h.initialAccessToken() : token();
    const requestsBefore = h.dynamoDb.requestCount();

    const res = await h.call(method, path, { token: presented, body });

    expectError(res, 503, 'temporarily_unavailable');
    expect(res.body.error_description).toMatch(/no .*datastore is configured/);
    expect(header(res, 'Retry-After')).toMatch(/^\d+$/);
    expect(h.dynamoDb.requestCount()).toBe(requestsBefore);
    expect(await h.items()).toEqual([]);
  });
});
