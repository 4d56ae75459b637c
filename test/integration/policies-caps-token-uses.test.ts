import { beforeEach, describe, expect, it } from 'vitest';
import { invalidToken } from '../../lib/errors.js';
import type { InitialAccessTokenVerifier } from '../../lib/tokens/initial-access-token.js';
import { expectError, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Caps and initial access tokens with a number of uses (lib/tokens: `consume` / `restore`): a
// registration refused by a cap takes no use, and a token without a use left gives the cap places
// back. The token form here is the harness issuer's JWT with a use counter of this test around it,
// standing in for the tokens of this service, whose own tests cover their conditional writes.

const METADATA = { redirect_uris: ['https://app.example/cb'] };
const TOTAL = '#quota#total';

describe('client caps and initial access token uses', () => {
  let usesLeft = 0;
  let consumed = 0;
  const h = useHarness({
    initialAccessTokens: ({ jwt }): InitialAccessTokenVerifier => ({
      async verify(token) {
        const verified = await jwt!.verify(token);
        return {
          ...verified,
          consume: async () => {
            if (usesLeft === 0) throw invalidToken('the initial access token has no uses left');
            usesLeft--;
            consumed++;
          },
          restore: async () => {
            usesLeft++;
            consumed--;
          },
        };
      },
    }),
  });
  beforeEach(() => {
    consumed = 0;
  });

  const count = async (): Promise<number> => (await h.item(TOTAL))?.client_count ?? 0;

  it('a registration refused by a cap takes no use of its token', async () => {
    usesLeft = 5;
    h.configure({ registrationPolicies: JSON.stringify({ caps: { total: (await count()) + 1 } }) });
    expect((await h.register(METADATA)).status).toBe(201);
    const before = await h.items();

    const res = await h.register(METADATA);

    expectError(res, 403, 'access_denied');
    expect(consumed).toBe(1);
    expect(usesLeft).toBe(4);
    expect(await h.items()).toEqual(before);
  });

  it('a token without a use left gives the cap places back', async () => {
    usesLeft = 0;
    const total = await count();
    h.configure({ registrationPolicies: JSON.stringify({ caps: { total: total + 5, per_subject: 5 } }) });
    const before = await h.items();

    const res = await h.call('POST', REGISTRATION_PATH, { body: METADATA, token: await h.initialAccessToken({ sub: 'team-uses' }) });

    expectError(res, 401, 'invalid_token');
    expect(await count()).toBe(total);
    expect((await h.item('#quota#sub#team-uses'))?.client_count ?? 0).toBe(0);
    expect((await h.items()).filter((item) => !(String(item.client_id).startsWith('#') && item.client_count === 0))).toEqual(before);
  });
});
