import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientDirectory } from '../../lib/directory/client-directory.js';
import { InvalidClientError, RegistrationError } from '../../lib/errors.js';
import { createClientDirectory } from '../../lib/runtime/directory.js';
import { DynamoDbAssertionReplayStore } from '../../lib/store/dynamodb-assertion-replay-store.js';
import { createDocumentClient, DynamoDbClientStore } from '../../lib/store/dynamodb-client-store.js';
import { type Harness, sha256, startHarness } from '../support/harness.js';

// The client directory against the embedded datastore: what find returns, what the table holds for
// single-use assertions, and the refusals that do not need a client library to provoke.

const AUDIENCE = 'https://as.example.test/token';
let h: Harness;
let directory: ClientDirectory;
let now = Date.now();

beforeAll(async () => {
  h = await startHarness({ settings: { registrationPolicies: JSON.stringify({ caps: { total: 100 } }) } });
  directory = createClientDirectory({
    tableName: h.tableName,
    dynamoDb: h.dynamoDbConfig,
    secretSealer: h.secretSealer,
    audience: AUDIENCE,
    now: () => now,
  });
});

afterAll(async () => {
  await h?.close();
});

async function registered(metadata: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await h.register({ client_name: 'directory', grant_types: ['client_credentials'], response_types: [], ...metadata });
  expect(answer.status).toBe(201);
  return answer.body;
}

async function reason(act: Promise<unknown>): Promise<string> {
  const error = await act.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidClientError);
  expect(error).toMatchObject({ status: 401, error: 'invalid_client', description: 'client authentication failed' });
  return (error as InvalidClientError).reason;
}

function assertion(clientId: string, secret: string, claims: { aud?: string; exp?: number; jti?: string } = {}): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ jti: claims.jti ?? crypto.randomUUID() })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(claims.exp ?? iat + 60)
    .sign(new TextEncoder().encode(secret));
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('find', () => {
  it('returns the registered metadata with defaults, never a hash or a sealed secret', async () => {
    const client = await registered({ token_endpoint_auth_method: 'client_secret_jwt' });
    const found = await directory.find(client.client_id);
    expect(found).toEqual({
      clientId: client.client_id,
      source: 'registered',
      issuedAt: client.client_id_issued_at,
      secretExpiresAt: 0,
      metadata: expect.objectContaining({
        client_name: 'directory',
        token_endpoint_auth_method: 'client_secret_jwt',
        grant_types: ['client_credentials'],
      }),
    });
    expect(JSON.stringify(found)).not.toContain(client.client_secret);
    expect(JSON.stringify(found)).not.toMatch(/hash|sealed/);
  });

  it('finds nothing for an unknown id, an empty one, or the table items that are not clients', async () => {
    await registered({});
    const others = (await h.items()).filter((item) => String(item.client_id).startsWith('#'));
    expect(others.map((item) => item.client_id)).toContain('#quota#total');
    for (const id of ['unknown', '', '#quota#total', 'x'.repeat(3000)]) expect(await directory.find(id)).toBeUndefined();
  });
});

describe('client assertions', () => {
  it('a jti is single use, and the record that says so expires with the assertion', async () => {
    const client = await registered({ token_endpoint_auth_method: 'client_secret_jwt' });
    const jwt = await assertion(client.client_id, client.client_secret, { jti: 'j-1' });
    const request = { parameters: { client_assertion_type: JWT_BEARER, client_assertion: jwt } };
    expect((await directory.authenticate(request)).method).toBe('client_secret_jwt');
    expect(await reason(directory.authenticate(request))).toBe('the client assertion was used before (jti replay)');
    const records = (await h.items()).filter((item) => String(item.client_id).startsWith('#jti#'));
    expect(records).toHaveLength(1);
    // no client id, no jti in the key: a hash of both; idle_expires_at (the table's TTL attribute) is the assertion's exp plus the clock tolerance
    expect(records[0]!.client_id).not.toContain(client.client_id);
    expect(records[0]!.idle_expires_at).toBe(Math.floor(now / 1000) + 60 + 30);
    expect(await directory.find(records[0]!.client_id)).toBeUndefined();
  });

  it('the replay store lets a key be claimed again once its record has expired (TTL deletes lazily)', async () => {
    let clock = 1_000_000_000_000;
    const store = new DynamoDbAssertionReplayStore(createDocumentClient(h.dynamoDbConfig), h.tableName, () => clock);
    const expiresAt = clock / 1000 + 10;
    expect(await store.claim('k', expiresAt)).toBe(true);
    expect(await store.claim('k', expiresAt)).toBe(false);
    clock += 11_000;
    expect(await store.claim('k', expiresAt + 20)).toBe(true);
    // racing claims of a fresh key: exactly one wins
    const results = await Promise.all(Array.from({ length: 8 }, () => store.claim('race', expiresAt + 100)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses another audience, a too-long lifetime, an expired assertion, and a missing jti', async () => {
    const client = await registered({ token_endpoint_auth_method: 'client_secret_jwt' });
    const send = async (jwt: string) =>
      directory.authenticate({ parameters: { client_assertion_type: JWT_BEARER, client_assertion: jwt } });
    expect(await reason(send(await assertion(client.client_id, client.client_secret, { aud: 'https://elsewhere.example' })))).toBe(
      'the client assertion was refused: claim aud check_failed',
    );
    const nowSeconds = Math.floor(now / 1000);
    expect(await reason(send(await assertion(client.client_id, client.client_secret, { exp: nowSeconds + 3600 })))).toBe(
      'the client assertion lives longer than 300 s',
    );
    expect(await reason(send(await assertion(client.client_id, client.client_secret, { exp: nowSeconds - 120 })))).toBe(
      'the client assertion was refused: it has expired',
    );
    const noJti = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(AUDIENCE)
      .setExpirationTime(nowSeconds + 60)
      .sign(new TextEncoder().encode(client.client_secret));
    expect(await reason(send(noJti))).toBe('the client assertion was refused: claim jti missing');
  });

  it('without a key to open sealed secrets, client_secret_jwt answers 503, not invalid_client', async () => {
    const client = await registered({ token_endpoint_auth_method: 'client_secret_jwt' });
    const keyless = createClientDirectory({ tableName: h.tableName, dynamoDb: h.dynamoDbConfig, audience: AUDIENCE, now: () => now });
    const jwt = await assertion(client.client_id, client.client_secret);
    await expect(keyless.authenticate({ parameters: { client_assertion_type: JWT_BEARER, client_assertion: jwt } })).rejects.toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
    });
    await expect(keyless.authenticate({ parameters: { client_assertion_type: JWT_BEARER, client_assertion: jwt } })).rejects.toBeInstanceOf(
      RegistrationError,
    );
  });
});

describe('secrets', () => {
  it('an expired secret is refused even when it is right', async () => {
    const client = await registered({ token_endpoint_auth_method: 'client_secret_post' });
    const request = { parameters: { client_id: client.client_id, client_secret: client.client_secret } };
    expect((await directory.authenticate(request)).client.clientId).toBe(client.client_id);
    // the client lifecycle sets client_secret_expires_at; here the item is changed directly
    const { DynamoDBClient, UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');
    const raw = new DynamoDBClient(h.dynamoDbConfig);
    await raw.send(
      new UpdateItemCommand({
        TableName: h.tableName,
        Key: { client_id: { S: client.client_id } },
        UpdateExpression: 'SET client_secret_expires_at = :t',
        ExpressionAttributeValues: { ':t': { N: String(Math.floor(now / 1000) - 1) } },
      }),
    );
    raw.destroy();
    expect(await reason(directory.authenticate(request))).toBe('the client secret has expired');
  });
});

describe('the client lifecycle, as the directory sees it', () => {
  const store = () => new DynamoDbClientStore(createDocumentClient(h.dynamoDbConfig), h.tableName, () => now);
  const post = (clientId: string, secret: string) => directory.authenticate({ parameters: { client_id: clientId, client_secret: secret } });

  it('a rotated-away secret keeps working while it is retained, and not after', async () => {
    const client = await registered({ token_endpoint_auth_method: 'client_secret_post' });
    const nowSeconds = Math.floor(now / 1000);
    await store().update(
      client.client_id,
      { secret: { kind: 'replace', hash: sha256('the-new-secret'), retainUntil: nowSeconds + 60 }, updatedAt: nowSeconds },
      { registrationTokenHash: 'operator', secret: { hasSecret: true, recoverable: false } },
    );
    expect((await post(client.client_id, client.client_secret)).method).toBe('client_secret_post');
    expect((await post(client.client_id, 'the-new-secret')).method).toBe('client_secret_post');
    const saved = now;
    now += 61_000;
    try {
      expect(await reason(post(client.client_id, client.client_secret))).toBe('the client secret is wrong');
      expect((await post(client.client_id, 'the-new-secret')).method).toBe('client_secret_post');
    } finally {
      now = saved;
    }
  });

  it('a disabled client is not found and cannot authenticate', async () => {
    const client = await registered({ token_endpoint_auth_method: 'client_secret_post' });
    await store().update(
      client.client_id,
      { secret: { kind: 'keep' }, disabled: true, updatedAt: Math.floor(now / 1000) },
      { registrationTokenHash: 'operator' },
    );
    expect(await directory.find(client.client_id)).toBeUndefined();
    expect(await reason(post(client.client_id, client.client_secret))).toBe('no such client (unknown, deleted, or not allowed)');
  });

  it('authentication records use for idle expiry (Client Idle Lifetime), at most once per tenth of it', async () => {
    const idle = { ...h.settings, clientIdleLifetimeSeconds: 1000 };
    const client = await registered({ token_endpoint_auth_method: 'client_secret_post' });
    const withIdle = createClientDirectory({
      tableName: h.tableName,
      dynamoDb: h.dynamoDbConfig,
      audience: AUDIENCE,
      settings: { current: async () => idle },
      now: () => now,
    });
    const nowSeconds = Math.floor(now / 1000);
    expect((await h.item(client.client_id))?.idle_expires_at).toBeUndefined();
    await withIdle.authenticate({ parameters: { client_id: client.client_id, client_secret: client.client_secret } });
    expect((await h.item(client.client_id))?.idle_expires_at).toBe(nowSeconds + 1000);
    const saved = now;
    now += 50_000; // within the tenth: no write
    try {
      await withIdle.authenticate({ parameters: { client_id: client.client_id, client_secret: client.client_secret } });
      expect((await h.item(client.client_id))?.idle_expires_at).toBe(nowSeconds + 1000);
    } finally {
      now = saved;
    }
  });
});
