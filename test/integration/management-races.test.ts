import { describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, type Harness, useHarness } from '../support/harness.js';

// Issue 8, item 8: many PUTs at once with one registration access token, against the embedded
// DynamoDB (20: more than the embedded DynamoDB answers within the per-attempt time budget on a busy
// test machine, where the answer would be a fair 503 "busy"). Under token rotation exactly one wins; every other caller held a token that was rotated
// away, and is told so (401 invalid_token), never asked to retry (503). Here the PUTs also change the
// kind of secret, which sends every request down the read-then-write path, where the race is closest.

const PARALLEL = 20;
const METADATA = { redirect_uris: ['https://app.example/cb'] };
const h: Harness = useHarness();

async function registered(metadata: Record<string, unknown>): Promise<Answer> {
  const client = await h.register({ ...METADATA, ...metadata });
  expect(client.status).toBe(201);
  return client;
}

const putAll = (client: Answer, body: (index: number) => Record<string, unknown>) =>
  Promise.all(
    Array.from({ length: PARALLEL }, (_, index) =>
      h.call('PUT', clientPath(client.body.client_id), {
        token: client.body.registration_access_token,
        body: { client_id: client.body.client_id, ...METADATA, ...body(index) },
      }),
    ),
  );

function expectOneWinner(answers: Answer[]): Answer {
  const statuses = answers.map((answer) => answer.status).sort();
  expect(statuses).toEqual([200, ...Array<number>(PARALLEL - 1).fill(401)]);
  for (const loser of answers.filter((answer) => answer.status !== 200)) expectError(loser, 401, 'invalid_token');
  return answers.find((answer) => answer.status === 200)!;
}

describe(`${PARALLEL} parallel PUTs with one registration access token`, () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['client_secret_basic to none', { token_endpoint_auth_method: 'client_secret_basic' }, { token_endpoint_auth_method: 'none' }],
    ['none to client_secret_basic', { token_endpoint_auth_method: 'none' }, { token_endpoint_auth_method: 'client_secret_basic' }],
    [
      'client_secret_basic to client_secret_jwt',
      { token_endpoint_auth_method: 'client_secret_basic' },
      { token_endpoint_auth_method: 'client_secret_jwt' },
    ],
  ])('changing token_endpoint_auth_method %s: exactly one 200, all the others 401', async (_case, from, to) => {
    // Prepare
    const client = await registered(from);

    // Act
    const answers = await putAll(client, (index) => ({ ...to, client_name: `Racer ${index}` }));

    // Assess
    const winner = expectOneWinner(answers);
    const item = await h.item(client.body.client_id);
    expect(item?.metadata.client_name).toBe(winner.body.client_name);
    const check = await h.call('GET', clientPath(client.body.client_id), { token: winner.body.registration_access_token });
    expect(check.status).toBe(200);
  });

  it('keeping token_endpoint_auth_method: exactly one 200, all the others 401', async () => {
    // Prepare
    const client = await registered({});

    // Act
    const answers = await putAll(client, (index) => ({ client_name: `Racer ${index}` }));

    // Assess
    expectOneWinner(answers);
  });

  it('without token rotation the token stays good: no caller is told 401; one wins, a loser may be asked to retry', async () => {
    // Prepare
    h.configure({ rotateRegistrationAccessToken: false, rotateClientSecret: false });
    const client = await registered({ token_endpoint_auth_method: 'client_secret_basic' });

    // Act
    const answers = await putAll(client, (index) => ({
      token_endpoint_auth_method: index % 2 ? 'none' : 'client_secret_basic',
      client_name: `Racer ${index}`,
    }));

    // Assess
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(1);
    for (const answer of answers.filter((answer) => answer.status !== 200)) {
      expectError(answer, 503, 'temporarily_unavailable');
      expect(answer.body.error_description).toContain('changed by another request');
    }
    const item = await h.item(client.body.client_id);
    expect(answers.some((answer) => answer.status === 200 && answer.body.client_name === item?.metadata.client_name)).toBe(true);
  });
});
