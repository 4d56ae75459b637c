import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInitialAccessToken } from '../../infra/admin/iat-commands.js';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../infra/local/embedded-dynamodb.js';
import { RegistrationError } from '../../lib/errors.js';
import type { HttpRequest } from '../../lib/http/types.js';
import type { ClientStore } from '../../lib/registration/client.js';
import { register } from '../../lib/registration/register.js';
import { staticSettings } from '../../lib/settings/settings-source.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { DynamoDbInitialAccessTokenStore, ensureInitialAccessTokenTable } from '../../lib/store/dynamodb-initial-access-token-store.js';
import { systemRandom } from '../../lib/tokens/secrets.js';
import { parseServiceToken } from '../../lib/tokens/service-token.js';
import { SERVICE_TOKEN_ISSUER, ServiceInitialAccessTokenVerifier } from '../../lib/tokens/service-token-verifier.js';
import { HARNESS_SETTINGS, sha256 } from '../support/harness.js';

// The token table of this service against dynalite: the conditional writes that make uses exact,
// the item as stored, and the give-back when a registration fails after taking a use.

const TABLE = 'dcr-initial-access-tokens-test';
const NOW = 1_900_000_000;

describe('DynamoDB initial access token store', () => {
  let dynamoDb: EmbeddedDynamoDb;
  let raw: DynamoDBClient;
  let store: DynamoDbInitialAccessTokenStore;
  beforeAll(async () => {
    dynamoDb = await startEmbeddedDynamoDb();
    const config = { endpoint: dynamoDb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    raw = new DynamoDBClient(config);
    await ensureInitialAccessTokenTable(raw, TABLE);
    store = new DynamoDbInitialAccessTokenStore(createDocumentClient(config), TABLE);
  });
  afterAll(async () => {
    raw.destroy();
    await dynamoDb.close();
  });

  const item = async (id: string) => {
    const { Item } = await raw.send(new GetItemCommand({ TableName: TABLE, Key: { token_id: { S: id } }, ConsistentRead: true }));
    return Item && unmarshall(Item);
  };
  const create = async (options: { uses?: number; expiresInSeconds?: number; policies?: string[] } = {}) => {
    const created = await createInitialAccessToken(
      store,
      {
        subject: 'team-a',
        scopes: ['dcr:register'],
        uses: options.uses ?? 2,
        expiresInSeconds: options.expiresInSeconds ?? 3600,
        policies: options.policies,
      },
      { now: () => NOW * 1000 },
    );
    return { ...created, ...parseServiceToken(created.token)! };
  };

  it('stores the SHA-256 of the secret, never the token or the secret, with a TTL 30 days after expiry', async () => {
    const { id, secret, token } = await create({ uses: 5, policies: ['strict'] });

    const stored = await item(id);

    expect(stored).toEqual({
      token_id: id,
      secret_hash: sha256(secret),
      subject: 'team-a',
      scope: 'dcr:register',
      policies: ['strict'],
      created_at: NOW,
      expires_at: NOW + 3600,
      uses: 5,
      uses_left: 5,
      purge_at: NOW + 3600 + 30 * 86_400,
    });
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('consume takes one use per call and refuses once none is left; restore gives one back', async () => {
    const { id, secret } = await create({ uses: 2 });
    const hash = sha256(secret);

    const taken = [await store.consume(id, hash, NOW), await store.consume(id, hash, NOW), await store.consume(id, hash, NOW)];
    const afterConsume = (await item(id))!.uses_left;
    await store.restore(id);
    const restored = await store.consume(id, hash, NOW);

    expect({ taken, afterConsume, restored, last_used_at: (await item(id))!.last_used_at }).toEqual({
      taken: [true, true, false],
      afterConsume: 0,
      restored: true,
      last_used_at: NOW,
    });
  });

  it('consume is refused, writing nothing, for a wrong secret, an expired or a revoked token', async () => {
    const wrongSecret = await create();
    const expired = await create({ expiresInSeconds: 60 });
    const revoked = await create();
    await store.revoke(revoked.id, NOW);
    const before = await Promise.all([wrongSecret.id, expired.id, revoked.id].map(item));

    const outcomes = [
      await store.consume(wrongSecret.id, sha256('not the secret'), NOW),
      await store.consume(expired.id, sha256(expired.secret), NOW + 60),
      await store.consume(revoked.id, sha256(revoked.secret), NOW),
    ];

    expect(outcomes).toEqual([false, false, false]);
    expect(await Promise.all([wrongSecret.id, expired.id, revoked.id].map(item))).toEqual(before);
  });

  it('of many concurrent consumes of a token with 3 uses, exactly 3 succeed and no use goes below zero', async () => {
    const { id, secret } = await create({ uses: 3 });

    const outcomes = await Promise.all(Array.from({ length: 12 }, () => store.consume(id, sha256(secret), NOW)));

    expect(outcomes.filter(Boolean)).toHaveLength(3);
    expect((await item(id))!.uses_left).toBe(0);
  });

  it('restore of a token that no longer exists creates nothing', async () => {
    await store.restore('no-such-token-id');

    expect(await item('no-such-token-id')).toBeUndefined();
  });

  it('revoke says whether it revoked, had revoked already, or found nothing', async () => {
    const { id } = await create();

    expect([await store.revoke(id, NOW), await store.revoke(id, NOW + 1), await store.revoke('no-such-token-id', NOW)]).toEqual([
      'revoked',
      'already-revoked',
      'not-found',
    ]);
    expect((await item(id))!.revoked_at).toBe(NOW);
  });

  it('list returns summaries without secret hashes', async () => {
    const { id } = await create();

    const listed = await store.list();

    expect(listed.find((summary) => summary.id === id)).toEqual({
      id,
      subject: 'team-a',
      scopes: ['dcr:register'],
      policies: [],
      description: undefined,
      createdAt: NOW,
      expiresAt: NOW + 3600,
      uses: 2,
      usesLeft: 2,
      revokedAt: undefined,
      lastUsedAt: undefined,
    });
    expect(listed.every((summary) => !('secretHash' in summary))).toBe(true);
  });

  it('a missing table is a 503 naming DCR_IAT_TABLE_NAME', async () => {
    const missing = new DynamoDbInitialAccessTokenStore(
      createDocumentClient({
        endpoint: dynamoDb.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
      'no-such-table',
    );

    const error = await missing.find('x').catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(RegistrationError);
    expect({ status: (error as RegistrationError).status, description: (error as RegistrationError).description }).toEqual({
      status: 503,
      description: 'the initial access token table no-such-table does not exist (check DCR_IAT_TABLE_NAME)',
    });
  });

  describe('the service token verifier over this store', () => {
    it('reports kind, subject, scopes and claims (with dcr_policies) for policies to read', async () => {
      const { token, id } = await create({ policies: ['strict', 'internal'] });

      const verified = await new ServiceInitialAccessTokenVerifier(store, () => NOW * 1000).verify(token);

      expect({ kind: verified.kind, subject: verified.subject, scopes: verified.scopes, claims: verified.claims }).toEqual({
        kind: 'service',
        subject: 'team-a',
        scopes: ['dcr:register'],
        claims: {
          iss: SERVICE_TOKEN_ISSUER,
          sub: 'team-a',
          scope: 'dcr:register',
          jti: id,
          iat: NOW,
          exp: NOW + 3600,
          dcr_policies: ['strict', 'internal'],
        },
      });
    });

    it('a registration whose client cannot be stored gives the use back', async () => {
      // Prepare: the client table fails on write (a stand-in: dynalite cannot be made to fail one PutItem)
      const { token, id } = await create({ uses: 1 });
      const failingClients: ClientStore = {
        create: () => Promise.reject(new RegistrationError(503, 'temporarily_unavailable', 'the client datastore is busy')),
        find: () => Promise.resolve(undefined),
        recordUse: () => Promise.reject(new Error('not used')),
        update: () => Promise.reject(new Error('not used')),
        delete: () => Promise.reject(new Error('not used')),
      };
      const deps = {
        store: failingClients,
        settings: staticSettings({ ...HARNESS_SETTINGS }),
        initialAccessTokens: new ServiceInitialAccessTokenVerifier(store, () => NOW * 1000),
        now: () => NOW * 1000,
        random: systemRandom,
      };
      const request: HttpRequest = {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        pathParameters: {},
        body: JSON.stringify({ redirect_uris: ['https://app.example/cb'] }),
        baseUrl: 'https://dcr.example.test',
        requestId: 'test',
      };

      // Act
      const error = await register(deps, request).catch((reason: unknown) => reason);

      // Assess
      expect((error as RegistrationError).description).toBe('the client datastore is busy');
      // the use was taken (last_used_at is written by consume) and given back
      expect({ uses_left: (await item(id))!.uses_left, last_used_at: (await item(id))!.last_used_at }).toEqual({
        uses_left: 1,
        last_used_at: NOW,
      });
    });
  });
});
