import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../infra/local/embedded-dynamodb.js';
import { acceptedSecretHashes, type ClientRecord, GuardFailedError } from '../../lib/registration/client.js';
import { DynamoDbClientAdminStore } from '../../lib/store/dynamodb-client-listing.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { ensureClientTable } from '../../lib/store/ensure-table.js';

// The lifecycle attributes of the client store against the embedded DynamoDB, with a clock the test
// moves: idle expiry (reads treat an expired item as gone before TTL sweeps it), the cheap use
// record, secret retention by a copy inside the one UpdateItem, and the operator's writes.

const TABLE = 'lifecycle-store-test';
const T0 = 1_800_000_000;

describe('client store: lifecycle attributes', () => {
  let dynamoDb: EmbeddedDynamoDb;
  let raw: DynamoDBClient;
  // the admin tool's store: the request paths' one plus the listing
  let store: DynamoDbClientAdminStore;
  let nowSeconds = T0;
  let counter = 0;

  const record = (changes: Partial<ClientRecord> = {}): ClientRecord => ({
    clientId: `lifecycle-client-${++counter}`.padEnd(24, 'x'),
    issuedAt: T0,
    metadata: { redirect_uris: ['https://app.example/cb'] } as unknown as ClientRecord['metadata'],
    secretHash: 'hash-one',
    secretExpiresAt: 0,
    registrationTokenHash: 'token-hash',
    version: 1,
    updatedAt: T0,
    ...changes,
  });
  const storedItem = async (clientId: string) => {
    const { Item } = await raw.send(new GetItemCommand({ TableName: TABLE, Key: { client_id: { S: clientId } }, ConsistentRead: true }));
    return Item && unmarshall(Item);
  };

  beforeAll(async () => {
    dynamoDb = await startEmbeddedDynamoDb();
    const config = { endpoint: dynamoDb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    raw = new DynamoDBClient(config);
    await ensureClientTable(raw, TABLE);
    store = new DynamoDbClientAdminStore(createDocumentClient(config), TABLE, () => nowSeconds * 1000);
  });
  afterAll(async () => {
    raw.destroy();
    await dynamoDb.close();
  });
  beforeEach(() => {
    nowSeconds = T0;
  });

  it('finds a client until the second of its idle expiry, and from then on finds nothing, though the item is still there', async () => {
    const client = record({ idleExpiresAt: T0 + 100 });
    await store.create(client);

    nowSeconds = T0 + 99;
    const before = await store.find(client.clientId);
    nowSeconds = T0 + 100;
    const at = await store.find(client.clientId);

    expect(before?.clientId).toBe(client.clientId);
    expect(at).toBeUndefined();
    expect(await storedItem(client.clientId)).toMatchObject({ idle_expires_at: T0 + 100 });
  });

  it('refuses a guarded write or delete of an expired client, even with the right token', async () => {
    const client = record({ idleExpiresAt: T0 + 10 });
    await store.create(client);
    nowSeconds = T0 + 10;

    const write = store.update(
      client.clientId,
      { secret: { kind: 'keep' }, updatedAt: nowSeconds },
      { registrationTokenHash: 'token-hash' },
    );
    await expect(write).rejects.toBeInstanceOf(GuardFailedError);
    const remove = store.delete(client.clientId, { registrationTokenHash: 'operator' });
    await expect(remove).rejects.toBeInstanceOf(GuardFailedError);
  });

  it('records a use only when the stored expiry is older than the refresh point, never for an expired or disabled client', async () => {
    const client = record({ idleExpiresAt: T0 + 1000 });
    const disabled = record({ idleExpiresAt: T0 + 1000, disabled: true });
    await store.create(client);
    await store.create(disabled);

    const notDue = await store.recordUse(client.clientId, { expiresAt: T0 + 2000, refreshBefore: T0 + 900 });
    const due = await store.recordUse(client.clientId, { expiresAt: T0 + 2000, refreshBefore: T0 + 1001 });
    const ofDisabled = await store.recordUse(disabled.clientId, { expiresAt: T0 + 2000, refreshBefore: T0 + 1001 });
    nowSeconds = T0 + 2000;
    const ofExpired = await store.recordUse(client.clientId, { expiresAt: T0 + 5000, refreshBefore: T0 + 4000 });
    const ofMissing = await store.recordUse('no-such-client-xxxxxxxxx', { expiresAt: T0 + 5000, refreshBefore: T0 + 4000 });

    expect([notDue, due, ofDisabled, ofExpired, ofMissing]).toEqual([false, true, false, false, false]);
    expect(await storedItem(client.clientId)).toMatchObject({ idle_expires_at: T0 + 2000, version: 1 });
    expect(await storedItem('no-such-client-xxxxxxxxx')).toBeUndefined();
  });

  it('keeps the replaced secret as the previous one, with its own expiry, in the same write', async () => {
    const client = record({ secretHash: 'old-hash', secretExpiresAt: T0 + 500 });
    await store.create(client);

    const { record: written } = await store.update(
      client.clientId,
      { secret: { kind: 'replace', hash: 'new-hash', expiresAt: T0 + 900, retainUntil: T0 + 60 }, updatedAt: T0, requestId: 'req-1' },
      { registrationTokenHash: 'token-hash', secret: { hasSecret: true, recoverable: false } },
    );

    expect(written).toMatchObject({
      secretHash: 'new-hash',
      secretExpiresAt: T0 + 900,
      previousSecretHash: 'old-hash',
      previousSecretExpiresAt: T0 + 500,
      previousSecretValidUntil: T0 + 60,
      lastRequestId: 'req-1',
    });
    expect(acceptedSecretHashes(written, T0 + 59)).toEqual(['new-hash', 'old-hash']);
    expect(acceptedSecretHashes(written, T0 + 60)).toEqual(['new-hash']);
    expect(acceptedSecretHashes(written, T0 + 900)).toEqual([]);
  });

  it('drops a retained secret on a replacement without retention, and when the secret goes', async () => {
    const client = record();
    await store.create(client);
    const guard = { registrationTokenHash: 'token-hash' };
    await store.update(client.clientId, { secret: { kind: 'replace', hash: 'two', retainUntil: T0 + 60 }, updatedAt: T0 }, guard);

    const { record: replaced } = await store.update(client.clientId, { secret: { kind: 'replace', hash: 'three' }, updatedAt: T0 }, guard);
    await store.update(client.clientId, { secret: { kind: 'replace', hash: 'four', retainUntil: T0 + 60 }, updatedAt: T0 }, guard);
    const { record: removed } = await store.update(client.clientId, { secret: { kind: 'remove' }, updatedAt: T0 }, guard);

    expect(replaced.previousSecretHash).toBeUndefined();
    expect(removed).toMatchObject({ secretHash: undefined, previousSecretHash: undefined, previousSecretValidUntil: undefined });
  });

  it('refuses token-guarded writes to a disabled client; the operator may still write', async () => {
    const client = record({ disabled: true });
    await store.create(client);

    const byToken = await store
      .update(client.clientId, { secret: { kind: 'keep' }, updatedAt: T0 }, { registrationTokenHash: 'token-hash' })
      .catch((error: unknown) => error);
    const { record: enabled } = await store.update(
      client.clientId,
      { secret: { kind: 'keep' }, disabled: false, updatedAt: T0 },
      { registrationTokenHash: 'operator' },
    );

    expect(byToken).toBeInstanceOf(GuardFailedError);
    expect(enabled.disabled).toBeUndefined();
    expect(await storedItem(client.clientId)).not.toHaveProperty('disabled');
  });

  it('guards a kept secret against its expiry when asked', async () => {
    const client = record({ secretExpiresAt: T0 + 5 });
    await store.create(client);
    nowSeconds = T0 + 5;

    const kept = store.update(
      client.clientId,
      { secret: { kind: 'keep' }, updatedAt: T0 },
      { registrationTokenHash: 'token-hash', secretUnexpired: true },
    );

    await expect(kept).rejects.toBeInstanceOf(GuardFailedError);
  });

  it('lists clients page by page, without cap counters or expired clients, filtered by subject and software_id', async () => {
    const listed = new Set<string>();
    const mine = [
      record({ registeredBy: 'team-list', metadata: { software_id: 'tool-a' } as unknown as ClientRecord['metadata'] }),
      record({ registeredBy: 'team-list', metadata: { software_id: 'tool-b' } as unknown as ClientRecord['metadata'] }),
      record({ registeredBy: 'team-list', metadata: { software_id: 'tool-a' } as unknown as ClientRecord['metadata'] }),
      record({ registeredBy: 'team-list', idleExpiresAt: T0 - 1 }),
    ];
    for (const client of mine) await store.create(client);
    await raw.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { client_id: { S: '#quota#sub#team-list' }, client_count: { N: '3' } },
      }),
    );

    let next: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({ limit: 1, next, registeredBy: 'team-list' });
      for (const client of page.clients) listed.add(client.clientId);
      next = page.next;
      pages++;
    } while (next !== undefined && pages < 10);
    const toolA = await store.list({ limit: 10, registeredBy: 'team-list', softwareId: 'tool-a' });

    expect([...listed].sort()).toEqual(
      mine
        .slice(0, 3)
        .map((client) => client.clientId)
        .sort(),
    );
    expect(toolA.clients.map((client) => client.clientId).sort()).toEqual([mine[0]!.clientId, mine[2]!.clientId].sort());
    expect(toolA.next).toBeUndefined();
  });
});
