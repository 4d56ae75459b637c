import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../lib/settings/catalog.js';
import { clientPath, expectError, HARNESS_SETTINGS, type Harness, REGISTRATION_PATH, startHarness } from '../support/harness.js';

// "anything unexpected -> 500 server_error (no internals in the body)". The unexpected failure is a
// settings source that throws a plain Error carrying internal details while a request reads it.

const INTERNAL_DETAIL = 'boom at /var/task/secret-path.js: table dcr-clients-prod';

describe('an unexpected failure', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    ['POST', REGISTRATION_PATH],
    ['GET', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA')],
    ['PUT', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA')],
    ['DELETE', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA')],
  ])('%s answers 500 server_error with nothing internal in the body', async (method, path) => {
    h.settings = new Proxy(
      { ...HARNESS_SETTINGS },
      {
        get() {
          throw new Error(INTERNAL_DETAIL);
        },
      },
    ) as Settings;
    try {
      const res = await h.call(method, path, {
        token: 'some-token',
        body: method === 'PUT' || method === 'POST' ? { redirect_uris: ['https://app.example/cb'] } : undefined,
      });

      expectError(res, 500, 'server_error');
      expect(res.rawBody).not.toContain('boom');
      expect(res.rawBody).not.toContain('/var/task');
      expect(res.rawBody).not.toMatch(/Error|stack/);
    } finally {
      // assigned, not configure(): configure would read the throwing settings
      h.settings = HARNESS_SETTINGS;
    }
  });
});
