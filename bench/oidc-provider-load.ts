// Load generator for `bench/oidc-provider.ts` with BENCH_TRANSPORT=http: it runs in its own process so the
// HTTP client's CPU is not charged to the server under test. Keep-alive fetch, fixed concurrency; it sends
// back only percentiles and one response, so the server process spends nothing on the results.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The same metadata as bench/register.ts registers. */
export function benchMetadata(i: number) {
  return {
    client_name: `Bench client ${i}`,
    redirect_uris: [`https://app${i}.example.com/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email',
    contacts: ['ops@example.com'],
  };
}

export interface LoadRequest {
  url: string;
  token: string;
  count: number;
  concurrency: number;
  expected: number;
}

export interface LoadResult {
  p50: number;
  p99: number;
  sample: string;
}

export function percentile(sorted: number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100;
}

async function run({ url, token, count, concurrency, expected }: LoadRequest): Promise<LoadResult> {
  const latencies: number[] = [];
  let sample = '';
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const t0 = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(benchMetadata(index)),
        });
        const text = await response.text();
        latencies.push(performance.now() - t0);
        if (response.status !== expected) throw new Error(`status ${response.status} ${text}`);
        JSON.parse(text);
        sample = text;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), sample };
}

if (process.argv[2] === '--load') {
  process.on('message', (request: LoadRequest) => {
    run(request).then(
      (result) => process.send!({ result }),
      (error: Error) => process.send!({ error: error.message }),
    );
  });
  process.send!({ ready: true });
}

export interface LoadGenerator {
  run(request: LoadRequest): Promise<LoadResult>;
  close(): void;
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--load'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
  });
  return {
    run: (request) =>
      new Promise((resolve, reject) => {
        child.once('message', (message: { result?: LoadResult; error?: string }) =>
          message.result ? resolve(message.result) : reject(new Error(message.error)),
        );
        child.send(request);
      }),
    close: () => child.kill(),
  };
}
