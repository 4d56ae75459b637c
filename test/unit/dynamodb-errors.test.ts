import { ConditionalCheckFailedException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isConditionFailed, translateDynamoDbError } from '../../lib/store/dynamodb-errors.js';

const LABELS = { store: 'the client datastore', missing: 'the client datastore table does not exist (check DCR_TABLE_NAME)' };

describe('isConditionFailed', () => {
  it('recognises the exception the SDK throws for a refused ConditionExpression', () => {
    expect(isConditionFailed(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }))).toBe(true);
  });

  it.each([
    ['another DynamoDB exception', new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} })],
    ['a plain error', new Error('ConditionalCheckFailedException')],
    ['undefined', undefined],
    ['a string', 'ConditionalCheckFailedException'],
  ])('is false for %s', (_, error) => {
    expect(isConditionFailed(error)).toBe(false);
  });

  it('lets a refused condition pass through the translation untouched, for the adapter to give it a meaning', () => {
    const error = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

    expect(translateDynamoDbError(error, LABELS)).toBe(error);
  });
});
