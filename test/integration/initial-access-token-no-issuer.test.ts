import { describe, expect, it } from 'vitest';
import { expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Tokens required, but no issuer configured (DCR_IAT_ISSUER / DCR_IAT_JWKS_URI unset): nothing can
// verify them, so registration is unavailable rather than open.

const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('initial access tokens required without an issuer configured', () => {
  const h = useHarness({ withIssuer: false });

  it('answers 503 temporarily_unavailable naming DCR_IAT_ISSUER, with Retry-After; nothing stored', async () => {
    const before = await h.items();

    const res = await h.register(METADATA);

    expectError(res, 503, 'temporarily_unavailable');
    expect(res.body.error_description).toContain('DCR_IAT_ISSUER');
    expect(header(res, 'Retry-After')).toMatch(/^\d+$/);
    expect(await h.items()).toEqual(before);
  });

  it('registers when tokens are not required', async () => {
    h.configure({ requireInitialAccessToken: false });

    const res = await h.call('POST', REGISTRATION_PATH, { body: METADATA });

    expect(res.status).toBe(201);
  });
});
