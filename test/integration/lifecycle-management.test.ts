import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRuntime } from '../../lib/runtime/route.js';
import { type Answer, clientPath, expectError, REGISTRATION_ACCESS_TOKEN, sha256, useHarness } from '../support/harness.js';

// The lifecycle rules through the real handlers against the embedded DynamoDB, with the clock of the
// use cases and the store moved by the test: token grace (lossless rotation, races), secret retention
// and lifetime, idle expiry at its boundary, disabled clients.

const REDIRECT = 'https://app.example/cb';
const METADATA = { redirect_uris: [REDIRECT], client_name: 'Lifecycle App' };

describe('client lifecycle through the management endpoints', () => {
  let offsetSeconds = 0;
  // the clock stands still during a test and moves only by offsetSeconds: a second that passes in real
  // time (a busy machine) must not carry a boundary test over its boundary
  let stoppedAt = Date.now();
  const h = useHarness({ now: () => stoppedAt + offsetSeconds * 1000 });
  beforeEach(() => {
    stoppedAt = Date.now();
  });
  afterEach(() => {
    offsetSeconds = 0;
  });

  const registerClient = async (metadata: Record<string, unknown> = {}): Promise<Answer> => {
    const res = await h.register({ ...METADATA, ...metadata });
    expect(res.status).toBe(201);
    return res;
  };
  const read = (clientId: string, token: string) => h.call('GET', clientPath(clientId), { token });
  const put = (clientId: string, token: string, body: Record<string, unknown> = {}) =>
    h.call('PUT', clientPath(clientId), { token, body: { client_id: clientId, ...METADATA, ...body } });
  const counted = async (act: () => Promise<Answer>) => {
    const before = h.dynamoDb.requestCount();
    const res = await act();
    return { res, requests: h.dynamoDb.requestCount() - before };
  };

  describe('Registration Access Token Grace', () => {
    it('off (0): the previous token stops working at once, as before', async () => {
      const client = await registerClient();
      const rotated = await read(client.body.client_id, client.body.registration_access_token);

      const again = await read(client.body.client_id, client.body.registration_access_token);

      expect(rotated.status).toBe(200);
      expectError(again, 401, 'invalid_token');
    });

    it('a GET whose answer was lost, repeated with the previous token, gets the very same credentials again', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      const lost = await read(client.body.client_id, client.body.registration_access_token);

      const repeated = await read(client.body.client_id, client.body.registration_access_token);
      const repeatedTwice = await read(client.body.client_id, client.body.registration_access_token);

      expect(lost.status).toBe(200);
      expect(repeated.status).toBe(200);
      expect(repeated.body.registration_access_token).toBe(lost.body.registration_access_token);
      expect(repeated.body.client_secret).toBe(lost.body.client_secret);
      expect(repeatedTwice.body).toEqual(repeated.body);
      const item = await h.item(client.body.client_id);
      expect(item?.registration_access_token_hash).toBe(sha256(lost.body.registration_access_token));
      expect(item?.client_secret_hash).toBe(sha256(lost.body.client_secret));
    });

    it('keeps nothing readable on the item: the pending answer is sealed under the previous token', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      const lost = await read(client.body.client_id, client.body.registration_access_token);

      const item = await h.item(client.body.client_id);

      expect(item).toMatchObject({
        previous_registration_access_token_hash: sha256(client.body.registration_access_token),
        previous_registration_access_token_valid_until: expect.any(Number),
        pending_credentials: expect.stringMatching(/^h1\./),
      });
      const stored = JSON.stringify(item);
      for (const plaintext of [lost.body.registration_access_token, lost.body.client_secret, client.body.registration_access_token]) {
        expect(stored).not.toContain(plaintext);
      }
    });

    it('the previous token stops working once the new one is used', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      const first = await read(client.body.client_id, client.body.registration_access_token);

      const second = await read(client.body.client_id, first.body.registration_access_token);
      const old = await read(client.body.client_id, client.body.registration_access_token);

      expect(second.status).toBe(200);
      expectError(old, 401, 'invalid_token');
      // and the token just used is now the one within its grace
      const repeat = await read(client.body.client_id, first.body.registration_access_token);
      expect(repeat.body.registration_access_token).toBe(second.body.registration_access_token);
    });

    it('the previous token works until the last second of the grace, and not at its end', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      await read(client.body.client_id, client.body.registration_access_token);

      offsetSeconds = 299;
      const within = await read(client.body.client_id, client.body.registration_access_token);
      offsetSeconds = 300;
      const after = await read(client.body.client_id, client.body.registration_access_token);

      expect(within.status).toBe(200);
      expectError(after, 401, 'invalid_token');
    });

    it('another request with the previous token (a PUT after a lost GET) is applied, and its new credentials work', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      const lost = await read(client.body.client_id, client.body.registration_access_token);

      const updated = await put(client.body.client_id, client.body.registration_access_token, { client_name: 'Renamed' });

      expect(updated.status).toBe(200);
      expect(updated.body.client_name).toBe('Renamed');
      expect(updated.body.registration_access_token).toMatch(REGISTRATION_ACCESS_TOKEN);
      expectError(await read(client.body.client_id, lost.body.registration_access_token), 401, 'invalid_token');
      expect((await read(client.body.client_id, updated.body.registration_access_token)).status).toBe(200);
    });

    it('a PUT whose answer was lost, repeated as it was with the previous token, gets the same answer; the token may make no other request', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      await read(client.body.client_id, client.body.registration_access_token);
      const lost = await put(client.body.client_id, client.body.registration_access_token, { client_name: 'Once' });

      const repeated = await put(client.body.client_id, client.body.registration_access_token, { client_name: 'Once' });
      const other = await put(client.body.client_id, client.body.registration_access_token, { client_name: 'Other' });

      expect(lost.status).toBe(200);
      expect(repeated.body).toEqual(lost.body);
      expectError(other, 401, 'invalid_token');
      expect((await read(client.body.client_id, lost.body.registration_access_token)).status).toBe(200);
    });

    it('of parallel PUTs repeated with the previous token exactly one wins; the others get 401, and the winner’s token works', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      await read(client.body.client_id, client.body.registration_access_token);

      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          put(client.body.client_id, client.body.registration_access_token, { client_name: `Racer ${index}` }),
        ),
      );

      const winners = answers.filter((answer) => answer.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of answers.filter((answer) => answer.status !== 200)) expectError(loser, 401, 'invalid_token');
      const check = await read(client.body.client_id, winners[0]!.body.registration_access_token);
      expect(check.status).toBe(200);
      expect(check.body.client_name).toBe(winners[0]!.body.client_name);
    });

    it('parallel GETs repeated with the previous token all get the same, working credentials', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      const lost = await read(client.body.client_id, client.body.registration_access_token);

      const answers = await Promise.all(
        Array.from({ length: 5 }, () => read(client.body.client_id, client.body.registration_access_token)),
      );

      expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200]));
      expect(new Set(answers.map((answer) => answer.body.registration_access_token))).toEqual(
        new Set([lost.body.registration_access_token]),
      );
      expect((await read(client.body.client_id, lost.body.registration_access_token)).status).toBe(200);
    });

    it('a DELETE with the previous token within the grace deletes the client', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300 });
      const client = await registerClient();
      await read(client.body.client_id, client.body.registration_access_token);

      const deleted = await h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token });

      expect(deleted.status).toBe(204);
      expect(await h.item(client.body.client_id)).toBeUndefined();
    });

    it('a rotation under a grace still costs one DynamoDB request', async () => {
      h.configure({ registrationAccessTokenGraceSeconds: 300, clientSecretRetentionSeconds: 60, clientIdleLifetimeSeconds: 3600 });
      const client = await registerClient();

      const { res, requests } = await counted(() => read(client.body.client_id, client.body.registration_access_token));

      expect(res.status).toBe(200);
      expect(requests).toBe(1);
    });
  });

  describe('Client Secret Retention and Lifetime', () => {
    it('a rotation keeps the replaced secret for the retention period, beside the new one', async () => {
      h.configure({ clientSecretRetentionSeconds: 3600 });
      const client = await registerClient();

      const rotated = await read(client.body.client_id, client.body.registration_access_token);

      const item = await h.item(client.body.client_id);
      expect(item).toMatchObject({
        client_secret_hash: sha256(rotated.body.client_secret),
        previous_client_secret_hash: sha256(client.body.client_secret),
        previous_client_secret_expires_at: 0,
      });
      expect(item?.previous_client_secret_valid_until).toBe(Math.floor(stoppedAt / 1000) + 3600);
    });

    it('without retention a rotation keeps no previous secret', async () => {
      const client = await registerClient();

      await read(client.body.client_id, client.body.registration_access_token);

      expect(await h.item(client.body.client_id)).not.toHaveProperty('previous_client_secret_hash');
    });

    it('sets client_secret_expires_at from the lifetime, and gives the expired secret a successor on the next management call', async () => {
      h.configure({ clientSecretLifetimeSeconds: 1000, rotateClientSecret: false, rotateRegistrationAccessToken: false });
      const client = await registerClient();
      expect(client.body.client_secret_expires_at).toBe(client.body.client_id_issued_at + 1000);

      offsetSeconds = 999;
      const before = await read(client.body.client_id, client.body.registration_access_token);
      offsetSeconds = 1000;
      const at = await read(client.body.client_id, client.body.registration_access_token);

      expect(before.status).toBe(200);
      expect(before.body).not.toHaveProperty('client_secret');
      expect(at.status).toBe(200);
      expect(at.body.client_secret).toEqual(expect.any(String));
      expect(at.body.client_secret_expires_at).toBeGreaterThanOrEqual(client.body.client_id_issued_at + 2000);
      expect((await h.item(client.body.client_id))?.client_secret_hash).toBe(sha256(at.body.client_secret));
    });

    it('a PUT that keeps an expired secret replaces it instead', async () => {
      h.configure({ clientSecretLifetimeSeconds: 1000, rotateClientSecret: false });
      const client = await registerClient();

      offsetSeconds = 1000;
      const updated = await put(client.body.client_id, client.body.registration_access_token, { client_name: 'Later' });

      expect(updated.status).toBe(200);
      expect(updated.body.client_secret).toEqual(expect.any(String));
      expect(updated.body.client_secret).not.toBe(client.body.client_secret);
    });
  });

  describe('Client Idle Lifetime', () => {
    it('stores the idle expiry at registration; the client is gone at that second, unused, though DynamoDB has not swept it', async () => {
      h.configure({ clientIdleLifetimeSeconds: 1000, rotateClientSecret: false, rotateRegistrationAccessToken: false });
      const client = await registerClient();
      const item = await h.item(client.body.client_id);
      expect(item?.idle_expires_at).toBe(client.body.client_id_issued_at + 1000);

      offsetSeconds = 1000;
      const gone = await read(client.body.client_id, client.body.registration_access_token);
      const gonePut = await put(client.body.client_id, client.body.registration_access_token);
      const goneDelete = await h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token });

      expectError(gone, 401, 'invalid_token');
      expectError(gonePut, 401, 'invalid_token');
      expectError(goneDelete, 401, 'invalid_token');
      expect(await h.item(client.body.client_id)).toBeDefined();
    });

    it('use refreshes the expiry, at most once per tenth of the lifetime', async () => {
      h.configure({ clientIdleLifetimeSeconds: 1000, rotateClientSecret: false, rotateRegistrationAccessToken: false });
      const client = await registerClient();
      const issuedAt = client.body.client_id_issued_at;

      offsetSeconds = 50;
      const early = await counted(() => read(client.body.client_id, client.body.registration_access_token));
      offsetSeconds = 999;
      const late = await counted(() => read(client.body.client_id, client.body.registration_access_token));
      const expiryAfterUse = (await h.item(client.body.client_id))?.idle_expires_at;
      offsetSeconds = 1500;
      const stillThere = await read(client.body.client_id, client.body.registration_access_token);

      expect(early.requests).toBe(1);
      expect(late.requests).toBe(2);
      expect(expiryAfterUse).toBeGreaterThanOrEqual(issuedAt + 1999);
      expect(stillThere.status).toBe(200);
    });

    it('a management write refreshes the expiry within its one request', async () => {
      h.configure({ clientIdleLifetimeSeconds: 1000 });
      const client = await registerClient();

      offsetSeconds = 600;
      const { res, requests } = await counted(() => read(client.body.client_id, client.body.registration_access_token));

      expect(res.status).toBe(200);
      expect(requests).toBe(1);
      expect((await h.item(client.body.client_id))?.idle_expires_at).toBeGreaterThanOrEqual(client.body.client_id_issued_at + 1600);
    });
  });

  describe('a disabled client', () => {
    const disable = async (clientId: string) => {
      await getRuntime()!.dependencies.store!.update(
        clientId,
        { secret: { kind: 'keep' }, disabled: true, updatedAt: 0 },
        { registrationTokenHash: 'operator' },
      );
    };

    it.each([
      ['GET', {}],
      ['GET without rotation', { rotateClientSecret: false, rotateRegistrationAccessToken: false }],
      ['PUT', {}],
      ['DELETE', {}],
    ])('%s with its token: 403 access_denied, nothing changed; a wrong token still gets 401', async (name, settings) => {
      h.configure(settings);
      const client = await registerClient();
      await disable(client.body.client_id);
      const before = await h.item(client.body.client_id);
      const method = name.split(' ')[0]!;
      const call = (token: string) =>
        method === 'PUT' ? put(client.body.client_id, token) : h.call(method, clientPath(client.body.client_id), { token });

      const refused = await call(client.body.registration_access_token);
      const wrong = await call('s.wrong-token-wrong-token-wrong-token-wrong-tok');

      expectError(refused, 403, 'access_denied');
      expect(refused.body.error_description).toContain('disabled');
      expectError(wrong, 401, 'invalid_token');
      expect(await h.item(client.body.client_id)).toEqual(before);
    });
  });
});
