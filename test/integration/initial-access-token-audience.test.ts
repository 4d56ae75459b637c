import { describe, expect, it } from 'vitest';
import { expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// DCR_IAT_AUDIENCE: when an audience is configured, the initial access token must be meant for it.

const AUDIENCE = 'https://dcr.example.test';
const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('initial access tokens with an audience configured', () => {
  const h = useHarness({ audience: AUDIENCE });

  const post = (token: string) => h.call('POST', REGISTRATION_PATH, { body: METADATA, token });

  it('registers with a token for the audience', async () => {
    const res = await post(await h.initialAccessToken({ aud: AUDIENCE }));

    expect(res.status).toBe(201);
  });

  it.each<[string, string | undefined]>([
    ['another audience', 'https://other-api.example.test'],
    ['no audience', undefined],
  ])('refuses a token for %s: 401 invalid_token, nothing stored', async (_what, aud) => {
    const token = await h.initialAccessToken({ aud });
    const before = await h.items();

    const res = await post(token);

    expectError(res, 401, 'invalid_token');
    expect(header(res, 'WWW-Authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await h.items()).toEqual(before);
  });
});
