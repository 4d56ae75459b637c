// DynamoDB throttling and timeouts are counted per attempt, inside the SDK's retries, and reach the
// request's EMF line as DatastoreThrottles / DatastoreTimeouts. A local endpoint plays DynamoDB: one
// that always throttles, one that never answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntime, setRuntime } from '../../lib/runtime/route.js';
import { createDocumentClient, type DocumentClientConfig, DynamoDbClientStore } from '../../lib/store/dynamodb-client-store.js';
import { expectError, type Harness, startHarness } from '../support/harness.js';
import { captured, metricsOf } from '../support/log-capture.js';

const METADATA = { redirect_uris: ['https://app.example/cb'] };
const THROTTLED = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded.',
});

describe('datastore trouble in the metrics', () => {
  let h: Harness;
  let server: Server;
  let endpoint: string;
  let requests = 0;
  let hang = false;
  beforeAll(async () => {
    h = await startHarness();
    server = createServer((request, response) => {
      requests++;
      request.resume();
      // hanging: no answer at all (the client's request timeout ends it); else: throttled
      if (hang) return;
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(THROTTLED);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  function useStore(config: DocumentClientConfig): void {
    const runtime = getRuntime()!;
    const documents = createDocumentClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      ...config,
    });
    setRuntime({ ...runtime, dependencies: { ...runtime.dependencies, store: new DynamoDbClientStore(documents, 'dcr-clients-test') } });
  }

  it('every throttled attempt counts, the retried ones too, and the caller gets a 503', async () => {
    // Prepare
    useStore({ endpoint, maxAttempts: 2 });
    requests = 0;

    // Act
    const { result, output } = await captured(() => h.register(METADATA));

    // Assess
    // two attempts of the write, and (its outcome unknown after a retry) two of the read-back
    expectError(result, 503, 'temporarily_unavailable');
    expect(requests).toBeGreaterThanOrEqual(2);
    expect(output.metrics).toHaveLength(1);
    expect(metricsOf(output.metrics[0]!)).toMatchObject({
      DatastoreThrottles: { value: requests, unit: 'Count', dimensions: { Stage: 'local' } },
      Refusals: { value: 1, dimensions: { Route: 'register', Error: 'temporarily_unavailable' } },
      Requests: { value: 1, dimensions: { StatusClass: '5xx' } },
    });
    expect(metricsOf(output.metrics[0]!)).not.toHaveProperty('DatastoreTimeouts');
  });

  it('an attempt that times out counts as a DatastoreTimeout', async () => {
    // Prepare
    // the production timeouts (lib/time-budget.ts), one attempt only
    useStore({ endpoint, maxAttempts: 1 });
    hang = true;
    requests = 0;

    // Act
    const { result, output } = await captured(() => h.register(METADATA));

    // Assess
    expectError(result, 503, 'temporarily_unavailable');
    // the write, and the read-back of its unknown outcome: each attempt timed out
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(metricsOf(output.metrics[0]!)).toMatchObject({
      DatastoreTimeouts: { value: requests, unit: 'Count', dimensions: { Stage: 'local' } },
    });
    expect(metricsOf(output.metrics[0]!)).not.toHaveProperty('DatastoreThrottles');
  });
});
