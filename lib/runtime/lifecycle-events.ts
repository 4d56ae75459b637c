import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type ChangeProcessing, processChanges } from '../events/process-changes.js';
import { log, setLogLevel } from '../log.js';
import { readEnvironment } from '../settings/environment.js';
import { streamEntry } from '../store/client-stream.js';
import { DynamoDbClientQuota } from '../store/dynamodb-client-quota.js';
import { createDocumentClient } from '../store/dynamodb-client-store.js';
import { EventBridgeEventSink } from '../store/eventbridge-event-sink.js';

// Composition root of the lifecycle events function (functions/lifecycle-events.ts): the client
// table's stream in, events on EventBridge and cap places given back; built once per container.

/** The function's ports from its environment: DCR_EVENT_BUS_NAME (else the default bus), DCR_TABLE_NAME. */
export function changeProcessingFromEnv(env: NodeJS.ProcessEnv): ChangeProcessing {
  const environment = readEnvironment(env);
  if (environment.logLevel !== undefined) setLogLevel(environment.logLevel);
  const documents = environment.tableName === undefined ? undefined : createDocumentClient();
  return {
    sink: new EventBridgeEventSink(environment.eventBusName),
    quota: documents && new DynamoDbClientQuota(documents, environment.tableName!),
  };
}

/**
 * The stream handler with partial batch failures (ReportBatchItemFailures): it names the first record
 * that failed, and the stream gives that record and the ones after it again.
 */
export function lifecycleEventsHandler(build: () => ChangeProcessing = () => changeProcessingFromEnv(process.env)) {
  let processing: ChangeProcessing | undefined;
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    processing ??= build();
    const failed = await processChanges(event.Records.map(streamEntry), processing);
    log(failed === undefined ? 'info' : 'warn', 'stream batch', {
      records: event.Records.length,
      ...(failed !== undefined && { failedAt: failed }),
    });
    return { batchItemFailures: failed === undefined ? [] : [{ itemIdentifier: failed }] };
  };
}
