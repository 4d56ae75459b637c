import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CreateTokenInput,
  createInitialAccessToken,
  listInitialAccessTokens,
  revokeInitialAccessToken,
} from '../../infra/admin/iat-commands.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { DynamoDbInitialAccessTokenStore, ensureInitialAccessTokenTable } from '../../lib/store/dynamodb-initial-access-token-store.js';
import { composeInitialAccessTokenVerifiers } from '../../lib/tokens/composite-verifier.js';
import { ServiceInitialAccessTokenVerifier } from '../../lib/tokens/service-token-verifier.js';
import { type Answer, expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Initial access tokens issued by this service, through the real register handler against dynalite:
// created with the admin tool's functions, used until their uses run out, raced for, expired, revoked.
// The verifier's clock is the test's, so expiry needs no waiting.

const TABLE = 'dcr-initial-access-tokens-test';
const METADATA = { redirect_uris: ['https://app.example/cb'] };
const INVALID_METADATA = { redirect_uris: ['not a uri'] };

describe('initial access tokens issued by this service', () => {
  let tokens: DynamoDbInitialAccessTokenStore;
  let clock = Date.now();
  const h = useHarness({
    initialAccessTokens: ({ jwt, dynamoDb }) => {
      tokens = new DynamoDbInitialAccessTokenStore(createDocumentClient(dynamoDb), TABLE);
      return composeInitialAccessTokenVerifiers({ jwt, service: new ServiceInitialAccessTokenVerifier(tokens, () => clock) });
    },
  });
  beforeAll(async () => {
    const raw = new DynamoDBClient({
      endpoint: h.dynamoDb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await ensureInitialAccessTokenTable(raw, TABLE);
    raw.destroy();
  });
  beforeEach(() => {
    clock = Date.now();
  });

  const create = async (input: Partial<CreateTokenInput> = {}) =>
    createInitialAccessToken(
      tokens,
      { subject: 'team-a', scopes: ['dcr:register'], uses: 1, expiresInSeconds: 3600, ...input },
      { now: () => clock },
    );
  const post = (token: string, body: unknown = METADATA) => h.call('POST', REGISTRATION_PATH, { body, token });
  const usesLeft = async (id: string) => (await listInitialAccessTokens(tokens)).find((summary) => summary.id === id)!.usesLeft;
  /** Nothing stored and no use taken by a refused request. */
  const refused = async (id: string, act: () => Promise<Answer>): Promise<Answer> => {
    const before = { clients: await h.items(), usesLeft: await usesLeft(id) };
    const res = await act();
    expect({ clients: await h.items(), usesLeft: await usesLeft(id) }).toEqual(before);
    return res;
  };
  const expectInvalidToken = (res: Answer, reason: RegExp) => {
    expectError(res, 401, 'invalid_token');
    expect(header(res, 'WWW-Authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(res.body.error_description).toMatch(reason);
  };

  it('registers once per use, then answers 401 invalid_token; each client is stored', async () => {
    const { token, summary } = await create({ uses: 2 });

    const first = await post(token);
    const second = await post(token);
    const third = await refused(summary.id, () => post(token));

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(await h.item(first.body.client_id)).toBeDefined();
    expect(await h.item(second.body.client_id)).toBeDefined();
    expectInvalidToken(third, /no uses left/);
    expect(await usesLeft(summary.id)).toBe(0);
  });

  it('of parallel registrations racing for the last use, exactly one wins; the others get 401 and store nothing', async () => {
    const { token, summary } = await create({ uses: 1 });
    const before = await h.items();

    const answers = await Promise.all(Array.from({ length: 6 }, () => post(token)));

    const winners = answers.filter((res) => res.status === 201);
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((res) => res.status !== 201)) expectInvalidToken(loser, /no uses left/);
    expect((await h.items()).length).toBe(before.length + 1);
    expect(await h.item(winners[0]!.body.client_id)).toBeDefined();
    expect(await usesLeft(summary.id)).toBe(0);
  });

  it('a rejected registration (bad metadata) uses up nothing', async () => {
    const { token, summary } = await create({ uses: 1 });

    const rejected = await refused(summary.id, () => post(token, INVALID_METADATA));
    const accepted = await post(token);

    expectError(rejected, 400, 'invalid_redirect_uri');
    expect(accepted.status).toBe(201);
  });

  it('a token without the required scope: 403 insufficient_scope, no use taken', async () => {
    const { token, summary } = await create({ scopes: ['other:scope'] });

    const res = await refused(summary.id, () => post(token));

    expectError(res, 403, 'insufficient_scope');
  });

  it('an expired token: 401 invalid_token', async () => {
    const { token, summary } = await create({ expiresInSeconds: 60 });
    clock += 60_000;

    const res = await refused(summary.id, () => post(token));

    expectInvalidToken(res, /expired/);
  });

  it('a revoked token: 401 invalid_token, from the moment it is revoked', async () => {
    const { token, summary } = await create({ uses: 5 });
    const before = await post(token);
    await revokeInitialAccessToken(tokens, summary.id);

    const after = await refused(summary.id, () => post(token));

    expect(before.status).toBe(201);
    expectInvalidToken(after, /revoked/);
  });

  it.each<[string, (token: string) => string, RegExp]>([
    ['the right id with a wrong secret', (token) => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, /not known here/],
    ['a well-formed token nobody issued', () => `dcriat_${'A'.repeat(22)}_${'B'.repeat(43)}`, /not known here/],
    ['a malformed token of this service', (token) => token.slice(0, -3), /not a well-formed token of this service/],
  ])('%s: 401 invalid_token, the real token keeps its use', async (_what, alter, reason) => {
    const { token, summary } = await create({ uses: 1 });

    const res = await refused(summary.id, () => post(alter(token)));

    expectInvalidToken(res, reason);
  });

  it('JWTs of the issuer still work alongside, and an opaque token is refused as a kind not accepted', async () => {
    const before = await h.items();
    const jwt = await post(await h.initialAccessToken());
    const opaque = await post('an-opaque-token');

    expect(jwt.status).toBe(201);
    expectInvalidToken(opaque, /not accepted here/);
    expect((await h.items()).length).toBe(before.length + 1);
  });

  describe('policy lists named by the token (--policies, claim dcr_policies)', () => {
    const TEAM_HOSTS = { named: { 'team-a-hosts': [{ policy: 'trusted-redirect-hosts', hosts: ['app.team-a.example'] }] } };

    it('apply to registrations with the token: a redirect off the team hosts is refused and uses nothing', async () => {
      h.configure({ registrationPolicies: JSON.stringify(TEAM_HOSTS) });
      const { token, summary } = await create({ uses: 1, policies: ['team-a-hosts'] });

      const refusedAnswer = await refused(summary.id, () => post(token, { redirect_uris: ['https://app.example/cb'] }));
      const accepted = await post(token, { redirect_uris: ['https://app.team-a.example/cb'] });

      expectError(refusedAnswer, 400, 'invalid_redirect_uri');
      expect(accepted.status).toBe(201);
    });

    it('a token naming a list the server does not have: 401 invalid_token, uses nothing', async () => {
      h.configure({ registrationPolicies: JSON.stringify(TEAM_HOSTS) });
      const { token, summary } = await create({ uses: 1, policies: ['no-such-list'] });

      const res = await refused(summary.id, () => post(token));

      expectInvalidToken(res, /no-such-list/);
    });
  });

  describe('DynamoDB requests per registration', () => {
    const counted = async (act: () => Promise<Answer>) => {
      const before = h.dynamoDb.requestCount();
      const res = await act();
      return { status: res.status, requests: h.dynamoDb.requestCount() - before };
    };

    it('a token of this service: three (GetItem to verify, UpdateItem to take the use, PutItem for the client)', async () => {
      const { token } = await create({ uses: 1 });

      expect(await counted(() => post(token))).toEqual({ status: 201, requests: 3 });
    });

    it('a JWT: one', async () => {
      const token = await h.initialAccessToken();

      expect(await counted(() => post(token))).toEqual({ status: 201, requests: 1 });
    });

    it('no token, when none is required: one', async () => {
      h.configure({ requireInitialAccessToken: false });

      expect(await counted(() => h.call('POST', REGISTRATION_PATH, { body: METADATA }))).toEqual({ status: 201, requests: 1 });
    });

    it('a token of this service with bad metadata: one (the GetItem), nothing written', async () => {
      const { token } = await create({ uses: 1 });

      expect(await counted(() => post(token, INVALID_METADATA))).toEqual({ status: 400, requests: 1 });
    });
  });
});
