import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface EmbeddedDynamoDb {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Requests the endpoint has received so far (benchmarks and tests count round trips with it). */
  requestCount(): number;
  close(): Promise<void>;
}

/**
 * dynalite in this process: DynamoDB's API and validation on an in-memory store, or a LevelDB folder
 * when `dataDir` is given. No transactions and no streams, which the service does not use.
 */
export async function startEmbeddedDynamoDb(options: { dataDir?: string; port?: number } = {}): Promise<EmbeddedDynamoDb> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.dataDir });
  let requests = 0;
  server.on('request', () => {
    requests++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requestCount: () => requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
