import { describe, expect, it } from 'vitest';
import type { Settings } from '../../lib/settings/catalog.js';
import { clientPath, expectError, HARNESS_SETTINGS, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// "anything unexpected -> 500 server_error (no internals in the body)". The unexpected failure is a
// settings source that throws a plain Error carrying internal details while a request reads it.

const INTERNAL_DETAIL = 'boom at /var/task/secret-path.js: table dcr-clients-prod';

describe('an unexpected failure', () => {
  const h = useHarness();

  it.each([
    ['POST', REGISTRATION_PATH],
    ['GET', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA')],
    ['PUT', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA')],
    ['DELETE', clientPath('AAAAAAAAAAAAAAAAAAAAAAAA')],
  ])('%s answers 500 server_error with nothing internal in the body', async (method, path) => {
    // assigned, not configure() (which would read the throwing settings); useHarness puts them back before the next test
    h.settings = new Proxy(
      { ...HARNESS_SETTINGS },
      {
        get() {
          throw new Error(INTERNAL_DETAIL);
        },
      },
    ) as Settings;
    const res = await h.call(method, path, {
      token: 'some-token',
      body: method === 'PUT' || method === 'POST' ? { redirect_uris: ['https://app.example/cb'] } : undefined,
    });

    expectError(res, 500, 'server_error');
    expect(res.rawBody).not.toContain('boom');
    expect(res.rawBody).not.toContain('/var/task');
    expect(res.rawBody).not.toMatch(/Error|stack/);
  });
});
