import type { DynamoDBRecord, AttributeValue as StreamAttributeValue } from 'aws-lambda';
import type { StreamEntry } from '../events/process-changes.js';
import { fromAttributeMap } from './attribute-values.js';
import { isClientItem } from './dynamodb-client-store.js';
import { type ClientItem, toRecord } from './item.js';

// The client table's stream records (view NEW_AND_OLD_IMAGES) as the writes the lifecycle mapping
// reads. DynamoDB's TTL deletions are REMOVE records whose userIdentity is the DynamoDB service.

const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

export function streamEntry(record: DynamoDBRecord): StreamEntry {
  const sequence = record.dynamodb?.SequenceNumber ?? '';
  try {
    const image = (attributes: Record<string, StreamAttributeValue> | undefined) => {
      if (!attributes) return undefined;
      const item = fromAttributeMap(attributes as Parameters<typeof fromAttributeMap>[0]);
      return isClientItem(item) ? toRecord(item as unknown as ClientItem) : undefined;
    };
    const before = image(record.dynamodb?.OldImage);
    const after = image(record.dynamodb?.NewImage);
    if (!before && !after) return { sequence };
    if (record.eventID === undefined || record.dynamodb?.ApproximateCreationDateTime === undefined) return { sequence, unreadable: true };
    return {
      sequence,
      change: {
        id: record.eventID,
        time: Math.floor(record.dynamodb.ApproximateCreationDateTime),
        before,
        after,
        expired:
          record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === TTL_PRINCIPAL,
      },
    };
  } catch {
    return { sequence, unreadable: true };
  }
}
