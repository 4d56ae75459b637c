// `npm run bench:oidc-provider`: node-oidc-provider's dynamic client registration (RFC 7591) measured the
// way bench/register.ts measures ours, for DESIGN.md's bar (at least twice its registration throughput).
// Same machine, same embedded DynamoDB in a child process (so CPU figures count only the code under test),
// same metadata, concurrency, warm-up and count.
//
// BENCH_TRANSPORT=inject (default): the provider's Koa request listener is called in-process with a
//   socketless request/response pair, as our bench calls the Lambda handler with an event: neither side
//   pays for HTTP parsing or sockets, both pay for building the request and reading the response.
// BENCH_TRANSPORT=http: the provider listens on 127.0.0.1 and a load generator in another process sends
//   keep-alive requests; the CPU figure is the server process's own, so it includes Node's HTTP server.
// BENCH_IAT=string (default): features.registration.initialAccessToken is a fixed opaque string, compared
//   in constant time (no datastore call). BENCH_IAT=stored: an InitialAccessToken kept in DynamoDB and
//   looked up on every registration. oidc-provider has no JWT initial access tokens.
// BENCH_STORE=memory (diagnostic only): oidc-provider's built-in in-memory adapter instead of DynamoDB,
//   to separate the provider's own CPU from its DynamoDB client's.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { createDocumentClient } from '../lib/store/dynamodb-client-store.js';
import { startChildDynamoDb } from './dynalite-process.js';
import { createAdapterTable, dynamoDbAdapter } from './oidc-provider-adapter.js';
import { inject, type RequestListener } from './oidc-provider-inject.js';
import { benchMetadata, type LoadGenerator, percentile, startLoadGenerator } from './oidc-provider-load.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
// the same warm-up as bench/register.ts: the AWS SDK's paths need about a thousand calls to be optimised
const WARM_UP = Number(process.env.BENCH_WARMUP ?? 1000);
const TRANSPORT = process.env.BENCH_TRANSPORT === 'http' ? 'http' : 'inject';
const IAT_MODE = process.env.BENCH_IAT === 'stored' ? 'stored' : 'string';
const STORE = process.env.BENCH_STORE === 'memory' ? 'memory' : 'dynamodb';
const ISSUER = 'https://bench.test';
const REGISTRATION_PATH = '/as/clients.oauth2';
const TABLE = 'oidc-provider-bench';

interface Figures {
  operation: string;
  count: number;
  'ops/s': number;
  'cpu ms/op': number;
  'p50 ms': number;
  'p99 ms': number;
  'DynamoDB req/op': number;
}

interface Driver {
  /** Sends `count` registrations at CONCURRENCY; returns latency percentiles and one response body. */
  run(count: number): Promise<{ p50: number; p99: number; sample: string }>;
  close(): Promise<void>;
}

function injectDriver(listener: RequestListener, token: string): Driver {
  return {
    async run(count) {
      const latencies: number[] = [];
      let sample = '';
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < count) {
            const index = next++;
            const t0 = performance.now();
            const response = await inject(listener, {
              method: 'POST',
              path: REGISTRATION_PATH,
              headers: { host: 'bench.test', authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(benchMetadata(index)),
            });
            latencies.push(performance.now() - t0);
            if (response.status !== 201) throw new Error(`status ${response.status} ${response.body}`);
            JSON.parse(response.body);
            sample = response.body;
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), sample };
    },
    close: async () => {},
  };
}

async function httpDriver(listener: RequestListener, token: string, load: LoadGenerator): Promise<Driver> {
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${REGISTRATION_PATH}`;
  return {
    run: (count) => load.run({ url, token, count, concurrency: CONCURRENCY, expected: 201 }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function measure(
  operation: string,
  count: number,
  driver: Driver,
  countRequests: () => Promise<number>,
): Promise<{ figures: Figures; sample: string }> {
  const requestsBefore = await countRequests();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { p50, p99, sample } = await driver.run(count);
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const requests = (await countRequests()) - requestsBefore;
  return {
    sample,
    figures: {
      operation,
      count,
      'ops/s': Math.round((count / elapsed) * 1000),
      'cpu ms/op': Math.round(((cpu.user + cpu.system) / 1000 / count) * 1000) / 1000,
      'p50 ms': p50,
      'p99 ms': p99,
      'DynamoDB req/op': Math.round((requests / count) * 100) / 100,
    },
  };
}

/** Reads the JSON body and answers 201 with it: what the transport alone costs, with no provider at all. */
const trivialListener: RequestListener = async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
  res.statusCode = 201;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ client_id: 'trivial', client_secret: randomBytes(32).toString('base64url'), ...body }));
};

async function createProvider(documents: ReturnType<typeof createDocumentClient>, fixedToken: string): Promise<Provider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(ISSUER, {
    adapter: STORE === 'dynamodb' ? dynamoDbAdapter(documents, TABLE) : undefined,
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'bench-rs256', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // the scopes our metadata asks for must be ones the provider knows
    claims: { openid: ['sub'], profile: ['name', 'family_name', 'given_name'], email: ['email', 'email_verified'] },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: IAT_MODE === 'string' ? fixedToken : true },
      // issues a registration access token and registration_client_uri, as ours does with management on
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
    },
    routes: { registration: REGISTRATION_PATH },
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => console.error('oidc-provider server_error', error));
  return provider;
}

async function main() {
  const dynamo = await startChildDynamoDb();
  const clientConfig = { endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
  await createAdapterTable(new DynamoDBClient(clientConfig), TABLE);
  // the same DynamoDB client construction as our store (timeouts, retries, marshalling)
  const documents = createDocumentClient(clientConfig);
  const adapter = dynamoDbAdapter(documents, TABLE);
  const fixedToken = randomBytes(32).toString('base64url');
  const provider = await createProvider(documents, fixedToken);
  const token = IAT_MODE === 'string' ? fixedToken : await new provider.InitialAccessToken({}).save();
  const load = TRANSPORT === 'http' ? await startLoadGenerator() : undefined;
  const driverFor = (listener: RequestListener) => (load ? httpDriver(listener, token, load) : injectDriver(listener, token));

  const rows: Figures[] = [];
  const baseline = await driverFor(trivialListener);
  await measure('warm-up', WARM_UP, baseline, dynamo.requestCount);
  rows.push((await measure('transport only (trivial handler)', COUNT, baseline, dynamo.requestCount)).figures);
  await baseline.close();

  const driver = await driverFor(provider.callback());
  await measure('warm-up', WARM_UP, driver, dynamo.requestCount);
  const registered = await measure('oidc-provider register (POST)', COUNT, driver, dynamo.requestCount);
  rows.push(registered.figures);
  await driver.close();

  // the registrations really landed in DynamoDB through the adapter
  const sample = JSON.parse(registered.sample) as {
    client_id: string;
    client_secret?: string;
    registration_access_token?: string;
    registration_client_uri?: string;
  };
  if (!sample.client_secret || !sample.registration_access_token || !sample.registration_client_uri)
    throw new Error(`incomplete response ${registered.sample}`);
  if (STORE === 'dynamodb') {
    if (!(await new adapter('Client').find(sample.client_id))) throw new Error('Client not stored');
    if (!(await new adapter('RegistrationAccessToken').find(sample.registration_access_token)))
      throw new Error('RegistrationAccessToken not stored');
  }

  console.log(
    `node ${process.version}, oidc-provider, ${COUNT} registrations, concurrency ${CONCURRENCY}, transport ${TRANSPORT}, ` +
      `initial access token ${IAT_MODE}, ${STORE === 'dynamodb' ? 'dynalite in a child process' : 'in-memory store (diagnostic)'}` +
      `${load ? ', load generator in a child process' : ''}`,
  );
  console.table(rows);
  load?.close();
  dynamo.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
