// ClientStore.update answers the item as it was and as written from ONE request (ALL_OLD, and the
// same actions applied to it): what it says was written must be what a read finds afterwards, for every kind of change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientChange, ClientRecord } from '../../lib/registration/client.js';
import { createDocumentClient, DynamoDbClientStore } from '../../lib/store/dynamodb-client-store.js';
import type { DynamoDbDocuments } from '../../lib/store/dynamodb-documents.js';
import { type Harness, startHarness } from '../support/harness.js';

const BASE: ClientRecord = {
  clientId: 'store-write',
  issuedAt: 1_700_000_000,
  metadata: { client_name: 'Before', redirect_uris: ['https://app.example/cb'] } as unknown as ClientRecord['metadata'],
  secretHash: 'old-secret-hash',
  secretSealed: 'local1.old-sealed',
  secretExpiresAt: 1_750_000_000,
  registrationTokenHash: 'old-token-hash',
  version: 1,
  updatedAt: 1_700_000_000,
  registeredBy: 'team-a',
  quotaCounters: ['#quota#total'],
};
const AFTER_METADATA = { client_name: 'After', redirect_uris: ['https://app.example/cb2'] } as unknown as ClientRecord['metadata'];

describe('ClientStore.update tells the item as it was and as written', () => {
  let h: Harness;
  let documents: DynamoDbDocuments;
  let store: DynamoDbClientStore;
  beforeAll(async () => {
    h = await startHarness();
    documents = createDocumentClient({
      endpoint: h.dynamoDb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    store = new DynamoDbClientStore(documents, 'dcr-clients-test');
  });
  afterAll(async () => {
    documents.destroy();
    await h.close();
  });

  it.each<[string, Omit<ClientChange, 'updatedAt'>]>([
    [
      'metadata and a rotated token, secret kept',
      { metadata: AFTER_METADATA, secret: { kind: 'keep' }, registrationTokenHash: 'new-token-hash' },
    ],
    ['a secret no longer recoverable', { secret: { kind: 'keep', dropSealed: true } }],
    ['a secret removed', { metadata: AFTER_METADATA, secret: { kind: 'remove' } }],
    ['a secret replaced, sealed', { secret: { kind: 'replace', hash: 'new-secret-hash', sealed: 'local1.new-sealed' } }],
    ['a secret replaced, not sealed', { secret: { kind: 'replace', hash: 'new-secret-hash' }, registrationTokenHash: 'new-token-hash' }],
    [
      'a secret replaced and the old one retained, the old token kept in grace',
      {
        secret: { kind: 'replace', hash: 'new-secret-hash', expiresAt: 1_900_000_000, retainUntil: 1_800_000_060 },
        registrationTokenHash: 'new-token-hash',
        previousToken: { kind: 'set', hash: 'old-token-hash', validUntil: 1_800_000_060, pendingCredentials: 'sealed-pending' },
        idleExpiresAt: 1_900_000_000,
        requestId: 'request-1',
      },
    ],
    ['disabled', { secret: { kind: 'keep' }, disabled: true }],
  ])('%s', async (name, change) => {
    // Prepare
    const clientId = `store-write-${name.replace(/\W+/g, '-')}`;
    await store.create({ ...BASE, clientId });
    const stored = await store.find(clientId);

    // Act
    const written = await store.update(clientId, { ...change, updatedAt: 1_800_000_000 }, { registrationTokenHash: 'old-token-hash' });

    // Assess
    expect(written.previous).toEqual(stored);
    expect(written.record).toEqual(await store.find(clientId));
    expect(written.record).toMatchObject({ version: 2, updatedAt: 1_800_000_000 });
  });
});
