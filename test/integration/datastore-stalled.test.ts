import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, header, REGISTRATION_ACCESS_TOKEN, sha256, useHarness } from '../support/harness.js';
import { type StallProxy, startStallProxy } from '../support/stall-proxy.js';

// The service reaches the embedded DynamoDB through a TCP proxy that can stall: hold every request
// (accept, read, never answer), or carry a request out and lose its answer. A stalled datastore must
// cost a 503 with Retry-After within the time budget (lib/time-budget.ts), never a hang; a write whose
// answer was lost is read back, and the caller gets the truth: its 200/201 when the write landed.

const METADATA = { redirect_uris: ['https://app.example/cb'] };
let proxy: StallProxy;
const h = useHarness({
  dynamoDbEndpoint: async (embedded) => {
    proxy = await startStallProxy(embedded);
    return proxy.endpoint;
  },
});
afterAll(async () => {
  await proxy?.close();
});
beforeEach(() => {
  proxy.mode = 'pass';
  proxy.plan = [];
});

const latencies: Record<string, number> = {};
afterAll(() => {
  // figures for the notes, not assertions: the budget is asserted by the status alone
  const worst = Math.max(...Object.values(latencies));
  console.log(`stalled datastore: answer latency per request (ms) ${JSON.stringify(latencies)}; worst ${worst}`);
});

async function timed(name: string, act: () => Promise<Answer>): Promise<Answer> {
  const started = performance.now();
  const answer = await act();
  latencies[name] = Math.round(performance.now() - started);
  return answer;
}

async function registered(metadata: Record<string, unknown> = METADATA): Promise<Answer> {
  const client = await h.register(metadata);
  expect(client.status).toBe(201);
  return client;
}

const read = (client: Answer, token = client.body.registration_access_token) => h.call('GET', clientPath(client.body.client_id), { token });
const put = (client: Answer, changes: Record<string, unknown> = {}) =>
  h.call('PUT', clientPath(client.body.client_id), {
    token: client.body.registration_access_token,
    body: { client_id: client.body.client_id, ...METADATA, ...changes },
  });
const remove = (client: Answer) => h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token });

describe('a stalled datastore (requests held, never answered)', () => {
  it('POST, GET, PUT and DELETE each answer 503 temporarily_unavailable with Retry-After, and change nothing', async () => {
    // Prepare
    const clients = [await registered(), await registered(), await registered()];
    const token = await h.initialAccessToken();
    const before = await h.items();
    proxy.mode = 'hold';

    // Act
    const answers = await Promise.all([
      timed('POST', () => h.call('POST', '/as/clients.oauth2', { body: METADATA, token })),
      timed('GET', () => read(clients[0]!)),
      timed('PUT', () => put(clients[1]!, { client_name: 'Changed' })),
      timed('DELETE', () => remove(clients[2]!)),
    ]);

    // Assess
    expect(proxy.held()).toBeGreaterThanOrEqual(4);
    for (const answer of answers) {
      expectError(answer, 503, 'temporarily_unavailable');
      expect(header(answer, 'Retry-After')).toMatch(/^[1-9]\d*$/);
      expect(answer.body.error_description).toContain('datastore');
    }
    expect(await h.items()).toEqual(before);
    proxy.mode = 'pass';
    for (const client of clients) expect((await read(client)).status).toBe(200);
  });
});

describe('a write carried out whose answer is lost', () => {
  it('POST answers 201 with the credentials the stored client holds', async () => {
    // Prepare
    const token = await h.initialAccessToken();
    proxy.mode = 'lose-answer';

    // Act
    const res = await timed('POST, answer lost', () => h.call('POST', '/as/clients.oauth2', { body: METADATA, token }));

    // Assess
    expect(res.status).toBe(201);
    const item = await h.item(res.body.client_id);
    expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
    expect(item?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
    expect((await read(res)).status).toBe(200);
  });

  it('PUT answers 200 with the rotated token, which works; the old one does not', async () => {
    // Prepare
    const client = await registered();
    proxy.mode = 'lose-answer';

    // Act
    const res = await timed('PUT, answer lost', () => put(client, { client_name: 'Landed' }));

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.client_name).toBe('Landed');
    expect(res.body.registration_access_token).toMatch(REGISTRATION_ACCESS_TOKEN);
    const item = await h.item(client.body.client_id);
    expect(item?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
    expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
    expect((await read(res)).status).toBe(200);
    expect((await read(client)).status).toBe(401);
  });

  it('GET with rotation answers 200 with the rotated credentials', async () => {
    // Prepare
    const client = await registered();
    proxy.mode = 'lose-answer';

    // Act
    const res = await timed('GET, answer lost', () => read(client));

    // Assess
    expect(res.status).toBe(200);
    const item = await h.item(client.body.client_id);
    expect(item?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
    expect(item?.client_secret_hash).toBe(sha256(res.body.client_secret));
  });

  it('DELETE answers 204, and the client is gone', async () => {
    // Prepare
    const client = await registered();
    proxy.mode = 'lose-answer';

    // Act
    const res = await timed('DELETE, answer lost', () => remove(client));

    // Assess
    expect(res.status).toBe(204);
    expect(await h.item(client.body.client_id)).toBeUndefined();
  });
});

describe('a write whose every attempt goes unanswered until the deadline', () => {
  it('PUT carried out by the first attempt (the retries held): read back, 200 with the rotated token', async () => {
    // Prepare
    const client = await registered();
    proxy.plan = ['lose-answer', 'hold', 'hold', 'hold'];

    // Act
    const res = await timed('PUT, carried out, then held to the deadline', () => put(client, { client_name: 'Landed' }));

    // Assess
    expect(res.status).toBe(200);
    expect((await h.item(client.body.client_id))?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
    expect((await read(res)).status).toBe(200);
  });

  it('PUT never carried out (every attempt held): read back, 503, and the old token still works', async () => {
    // Prepare
    const client = await registered();
    const before = await h.item(client.body.client_id);
    proxy.plan = ['hold', 'hold', 'hold', 'hold'];

    // Act
    const res = await timed('PUT, held to the deadline', () => put(client, { client_name: 'Not landed' }));

    // Assess
    expectError(res, 503, 'temporarily_unavailable');
    expect(res.body.error_description).toContain('nothing was changed');
    expect(await h.item(client.body.client_id)).toEqual(before);
    expect((await read(client)).status).toBe(200);
  });

  it('POST carried out by the first attempt: read back, 201 with credentials that work', async () => {
    // Prepare
    const token = await h.initialAccessToken();
    proxy.plan = ['lose-answer', 'hold', 'hold', 'hold'];

    // Act
    const res = await timed('POST, carried out, then held to the deadline', () =>
      h.call('POST', '/as/clients.oauth2', { body: METADATA, token }),
    );

    // Assess
    expect(res.status).toBe(201);
    expect((await h.item(res.body.client_id))?.client_secret_hash).toBe(sha256(res.body.client_secret));
    expect((await read(res)).status).toBe(200);
  });
});

describe('a write carried out whose connection drops before the answer', () => {
  it('POST answers 201 (the SDK retry meets the stored client: read back, it is ours)', async () => {
    // Prepare
    const token = await h.initialAccessToken();
    proxy.mode = 'reset-after-answer';

    // Act
    const res = await h.call('POST', '/as/clients.oauth2', { body: METADATA, token });

    // Assess
    expect(res.status).toBe(201);
    expect((await h.item(res.body.client_id))?.registration_access_token_hash).toBe(sha256(res.body.registration_access_token));
  });

  it('PUT answers 200 (the SDK retry fails the token guard: read back, the rotation is ours)', async () => {
    // Prepare
    const client = await registered();
    proxy.mode = 'reset-after-answer';

    // Act
    const res = await put(client, { client_name: 'Landed' });

    // Assess
    expect(res.status).toBe(200);
    expect((await read(res)).status).toBe(200);
  });
});
