// Starts dynalite in a child process, so a benchmark's CPU figures count only the code under test.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildDynamoDb {
  readonly endpoint: string;
  requestCount(): Promise<number>;
  close(): void;
}

if (process.argv[2] === '--serve') {
  const { startEmbeddedDynamoDb } = await import('../infra/local/embedded-dynamodb.js');
  const dynamo = await startEmbeddedDynamoDb();
  process.on('message', (message) => {
    if (message === 'count') process.send!({ count: dynamo.requestCount() });
  });
  process.send!({ endpoint: dynamo.endpoint });
}

export async function startChildDynamoDb(): Promise<ChildDynamoDb> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { endpoint: string }) => resolve(message.endpoint));
    child.once('error', reject);
  });
  return {
    endpoint,
    requestCount: () =>
      new Promise((resolve) => {
        child.once('message', (message: { count: number }) => resolve(message.count));
        child.send('count');
      }),
    close: () => child.kill(),
  };
}
