import { randomBytes, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Client caps (registration policy configuration `caps`): in total and per initial access token
// subject, kept in counter items of the client table (`#quota#total`, `#quota#sub#<subject>`) by
// conditional writes, taken only once a registration is accepted, given back when the client cannot
// be stored, and released on delete. Tests share the table: each uses subjects of its own and
// counts the total from where it found it.

const METADATA = { redirect_uris: ['https://app.example/cb'] };
const TOTAL = '#quota#total';
const subjectCounter = (subject: string) => `#quota#sub#${subject}`;
const TRUSTED_KID = 'caps-test';

describe('client caps', () => {
  let signingKey: CryptoKey;
  /** While set, every random draw returns these bytes: two registrations then get the same client id. */
  let repeatedBytes: Buffer | undefined;
  const h = useHarness(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: TRUSTED_KID, alg: 'ES256' };
    return {
      trustedKeys: [jwk],
      random: (bytes) => (repeatedBytes ? repeatedBytes.subarray(0, bytes) : randomBytes(bytes)),
    };
  });
  let total0: number;
  let teamA: string;
  let teamB: string;
  beforeEach(async () => {
    repeatedBytes = undefined;
    total0 = await count(TOTAL);
    teamA = `team-a-${randomUUID()}`;
    teamB = `team-b-${randomUUID()}`;
  });

  const caps = (value: Record<string, number>) => h.configure({ registrationPolicies: JSON.stringify({ caps: value }) });
  const count = async (key: string): Promise<number> => (await h.item(key))?.client_count ?? 0;
  const counterItems = async () => (await h.items()).filter((item) => String(item.client_id).startsWith('#'));
  /** An initial access token of `sub` (the harness issuer's tokens all share one subject). */
  const tokenOf = (claims: { sub?: string }) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: h.issuer.issuer, scope: 'dcr:register', iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: TRUSTED_KID })
      .sign(signingKey);
  };
  const registerAs = async (sub: string, metadata: Record<string, unknown> = METADATA) =>
    h.call('POST', REGISTRATION_PATH, { body: metadata, token: await tokenOf({ sub }) });
  const remove = (client: Answer) => h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token });
  /**
   * Items with counters at zero left out: a place taken and given back can leave a new counter item
   * at 0, which holds nothing.
   */
  const holdings = async () => (await h.items()).filter((item) => !(String(item.client_id).startsWith('#') && item.client_count === 0));
  const refused = async (act: () => Promise<Answer>): Promise<Answer> => {
    const before = await holdings();
    const res = await act();
    expect(await holdings()).toEqual(before);
    return res;
  };

  describe('the total cap', () => {
    it('of N lets exactly N of N+1 parallel registrations through; the last gets 403 access_denied', async () => {
      const max = total0 + 3;
      caps({ total: max });
      const token = await h.initialAccessToken();
      const clientsBefore = (await h.items()).length;

      const answers = await Promise.all(Array.from({ length: 4 }, () => h.call('POST', REGISTRATION_PATH, { body: METADATA, token })));

      expect(answers.map((res) => res.status).sort()).toEqual([201, 201, 201, 403]);
      const denied = answers.find((res) => res.status === 403)!;
      expectError(denied, 403, 'access_denied');
      expect(denied.body.error_description).toBe(`this server holds its maximum number of dynamically registered clients (${max})`);
      expect(await count(TOTAL)).toBe(max);
      // three clients, and the counter item when this test created it
      expect((await h.items()).length - clientsBefore).toBe(total0 === 0 ? 4 : 3);
    });

    it('counts anonymous registrations too', async () => {
      caps({ total: total0 + 1 });
      h.configure({ requireInitialAccessToken: false });

      const first = await h.call('POST', REGISTRATION_PATH, { body: METADATA });
      const second = await refused(() => h.call('POST', REGISTRATION_PATH, { body: METADATA }));

      expect(first.status).toBe(201);
      expectError(second, 403, 'access_denied');
      expect(await count(TOTAL)).toBe(total0 + 1);
    });

    it('records on the client item which counters hold its place, and who registered it', async () => {
      caps({ total: total0 + 5, per_subject: 5 });

      const res = await registerAs(teamA);

      expect(res.status).toBe(201);
      const item = await h.item(res.body.client_id);
      expect(item).toMatchObject({
        quota_counters: [subjectCounter(teamA), TOTAL],
        registered_by: teamA,
        registration_policy_lists: ['authenticated'],
      });
      expect(res.body).not.toHaveProperty('quota_counters');
      expect(res.body).not.toHaveProperty('registered_by');
      expect(await h.item(subjectCounter(teamA))).toEqual({ client_id: subjectCounter(teamA), client_count: 1 });
    });
  });

  describe('the per-subject cap', () => {
    it('of N lets exactly N of N+1 parallel registrations of one subject through, and leaves other subjects alone', async () => {
      caps({ per_subject: 2 });

      const answers = await Promise.all(Array.from({ length: 3 }, () => registerAs(teamA)));
      const other = await registerAs(teamB);

      expect(answers.map((res) => res.status).sort()).toEqual([201, 201, 403]);
      const denied = answers.find((res) => res.status === 403)!;
      expectError(denied, 403, 'access_denied');
      expect(denied.body.error_description).toBe(
        'the subject of this initial access token has registered its maximum number of clients (2)',
      );
      expect(other.status).toBe(201);
      expect(await count(subjectCounter(teamA))).toBe(2);
      expect(await count(subjectCounter(teamB))).toBe(1);
      expect(await count(TOTAL)).toBe(total0);
    });

    it('does not count anonymous registrations (they have no subject)', async () => {
      caps({ per_subject: 1 });
      h.configure({ requireInitialAccessToken: false });
      const countersBefore = await counterItems();

      const answers = [
        await h.call('POST', REGISTRATION_PATH, { body: METADATA }),
        await h.call('POST', REGISTRATION_PATH, { body: METADATA }),
      ];

      expect(answers.map((res) => res.status)).toEqual([201, 201]);
      expect(await counterItems()).toEqual(countersBefore);
    });

    it('refuses a token without sub with 401 invalid_token rather than leave it uncounted', async () => {
      caps({ per_subject: 1 });
      const token = await tokenOf({});

      const res = await refused(() => h.call('POST', REGISTRATION_PATH, { body: METADATA, token }));

      expectError(res, 401, 'invalid_token');
      expect(res.body.error_description).toBe('the initial access token has no sub claim, which the per-subject client cap needs');
    });

    it('a subject at its cap never touches the total; a full total gives the subject place back', async () => {
      const teamC = `team-c-${randomUUID()}`;
      caps({ total: total0 + 2, per_subject: 1 });
      expect((await registerAs(teamA)).status).toBe(201);

      const atSubjectCap = await refused(() => registerAs(teamA));
      expect((await registerAs(teamB)).status).toBe(201);
      const atTotalCap = await refused(() => registerAs(teamC));

      expectError(atSubjectCap, 403, 'access_denied');
      expect(atSubjectCap.body.error_description).toMatch(/subject of this initial access token/);
      expectError(atTotalCap, 403, 'access_denied');
      expect(atTotalCap.body.error_description).toMatch(/maximum number of dynamically registered clients/);
      expect(await count(TOTAL)).toBe(total0 + 2);
      expect(await count(subjectCounter(teamC))).toBe(0);
    });
  });

  describe('uses up nothing when the request is refused', () => {
    it.each<[string, Record<string, unknown>, number, string]>([
      [
        'invalid metadata',
        { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'magic' },
        400,
        'invalid_client_metadata',
      ],
      ['a bad redirect URI', { redirect_uris: ['javascript:alert(1)'] }, 400, 'invalid_redirect_uri'],
    ])('%s: %d %s, counters unchanged', async (_what, metadata, status, error) => {
      caps({ total: total0 + 5, per_subject: 5 });
      expect((await registerAs(teamA)).status).toBe(201);

      const res = await refused(() => registerAs(teamA, metadata));

      expectError(res, status, error);
      expect(await count(TOTAL)).toBe(total0 + 1);
      expect(await count(subjectCounter(teamA))).toBe(1);
    });

    it('a refusing registration policy: counters unchanged', async () => {
      h.configure({
        registrationPolicies: JSON.stringify({
          authenticated: [{ policy: 'https-redirect-uris' }],
          caps: { total: total0 + 5, per_subject: 5 },
        }),
      });
      expect((await registerAs(teamA)).status).toBe(201);

      const res = await refused(() => registerAs(teamA, { redirect_uris: ['http://app.example/cb'] }));

      expectError(res, 400, 'invalid_redirect_uri');
      expect(await count(TOTAL)).toBe(total0 + 1);
    });
  });

  it('gives the places back when the client cannot be stored', async () => {
    caps({ total: total0 + 5, per_subject: 5 });
    repeatedBytes = randomBytes(32);
    const first = await registerAs(teamA);
    expect(first.status).toBe(201);

    // the same random bytes give the same client id: the conditional PutItem refuses the second client
    const res = await refused(() => registerAs(teamA));

    expectError(res, 500, 'server_error');
    expect(await count(TOTAL)).toBe(total0 + 1);
    expect(await count(subjectCounter(teamA))).toBe(1);
  });

  describe('release on delete', () => {
    it('a deleted client gives its places back, and a new client can take them', async () => {
      caps({ total: total0 + 1, per_subject: 1 });
      const client = await registerAs(teamA);
      expectError(await registerAs(teamA), 403, 'access_denied');

      const deleted = await remove(client);
      const countsAfterDelete = [await count(TOTAL), await count(subjectCounter(teamA))];
      const again = await registerAs(teamA);

      expect(deleted.status).toBe(204);
      expect(countsAfterDelete).toEqual([total0, 0]);
      expect(again.status).toBe(201);
      expect(await count(TOTAL)).toBe(total0 + 1);
      expect(await count(subjectCounter(teamA))).toBe(1);
    });

    it('releases what the client holds even after the caps were removed from the configuration', async () => {
      caps({ total: total0 + 3, per_subject: 3 });
      const client = await registerAs(teamA);
      h.configure({ registrationPolicies: '{}' });

      const deleted = await remove(client);

      expect(deleted.status).toBe(204);
      expect(await count(TOTAL)).toBe(total0);
      expect(await count(subjectCounter(teamA))).toBe(0);
    });

    it('a delete with a wrong token releases nothing', async () => {
      caps({ total: total0 + 3 });
      const client = await registerAs(teamA);

      const res = await refused(() => h.call('DELETE', clientPath(client.body.client_id), { token: 'wrong' }));

      expectError(res, 401, 'invalid_token');
      expect(await count(TOTAL)).toBe(total0 + 1);
    });

    it('clients registered while no cap was configured release nothing', async () => {
      const client = await registerAs(teamA);
      caps({ total: total0 + 3 });
      expect((await registerAs(teamA)).status).toBe(201);

      expect((await remove(client)).status).toBe(204);

      expect(await count(TOTAL)).toBe(total0 + 1);
    });
  });

  describe('DynamoDB requests', () => {
    const counted = async (act: () => Promise<Answer>) => {
      const before = h.dynamoDb.requestCount();
      const res = await act();
      return { requests: h.dynamoDb.requestCount() - before, res };
    };

    it('one conditional write per counter besides the client write, on register and on delete', async () => {
      caps({ total: total0 + 10, per_subject: 10 });
      const token = await tokenOf({ sub: teamA });

      const registered = await counted(() => h.call('POST', REGISTRATION_PATH, { body: METADATA, token }));
      const deleted = await counted(() => remove(registered.res));

      expect(registered.res.status).toBe(201);
      expect(registered.requests).toBe(3);
      expect(deleted.res.status).toBe(204);
      expect(deleted.requests).toBe(3);
    });
  });

  it('counter items are not clients: the management routes refuse them like an unknown client', async () => {
    caps({ total: total0 + 3 });
    expect((await registerAs(teamA)).status).toBe(201);

    const answers = await refusedAll([
      () => h.call('GET', clientPath(TOTAL), { token: 'anything' }),
      () => h.call('PUT', clientPath(TOTAL), { token: 'anything', body: { client_id: TOTAL, ...METADATA } }),
      () => h.call('DELETE', clientPath(TOTAL), { token: 'anything' }),
    ]);

    for (const res of answers) expectError(res, 401, 'invalid_token');
    expect(await count(TOTAL)).toBe(total0 + 1);
  });

  async function refusedAll(acts: readonly (() => Promise<Answer>)[]): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (const act of acts) answers.push(await refused(act));
    return answers;
  }
});
