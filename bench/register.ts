// `npm run bench`: CPU and latency of the four operations through the real Lambda handlers, with
// DynamoDB (dynalite) in a separate process so the CPU figures are the service's own; and the same
// four operations through the floor (bench/request-floor.ts: the one DynamoDB request of each and
// nothing else), measured in the same run, with the ratio of the two.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createLocalJWKSet } from 'jose';
import { handler as deleteHandler } from '../functions/delete.js';
import { handler as readHandler } from '../functions/read.js';
import { handler as registerHandler } from '../functions/register.js';
import { handler as updateHandler } from '../functions/update.js';
import { createDevIssuer } from '../infra/local/dev-issuer.js';
import { matchRoute, toProxyEvent } from '../infra/local/proxy-event.js';
import { type LogLevel, setLogLevel } from '../lib/log.js';
import { setRuntime } from '../lib/runtime/route.js';
import { DEFAULT_SETTINGS } from '../lib/settings/catalog.js';
import { staticSettings } from '../lib/settings/settings-source.js';
import { createDocumentClient, DynamoDbClientStore } from '../lib/store/dynamodb-client-store.js';
import { ensureClientTable } from '../lib/store/ensure-table.js';
import { JwtInitialAccessTokenVerifier } from '../lib/tokens/initial-access-token.js';
import { LocalSecretSealer } from '../lib/tokens/secret-sealer.js';
import { systemRandom } from '../lib/tokens/secrets.js';
import { startChildDynamoDb } from './dynalite-process.js';
import { type FloorHandlers, floorHandlers } from './request-floor.js';

// silent by default, as the baseline runs; BENCH_LOG_LEVEL=info adds the request, audit and metrics lines
// (send stdout to /dev/null) to see what writing them costs
setLogLevel((process.env.BENCH_LOG_LEVEL as LogLevel | undefined) ?? 'silent');
const COUNT = Number(process.env.BENCH_COUNT ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
// the AWS SDK's request path needs about a thousand calls before V8 has optimised it; 200 left
// registration (measured first) about 0.5 ms of CPU per call slower than the same work later
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const ISSUER = 'https://issuer.bench.test';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

function event(method: string, path: string, token: string, body?: unknown): APIGatewayProxyEvent {
  const match = matchRoute(method, path);
  if (match.kind !== 'route') throw new Error(`no route ${method} ${path}`);
  const headers: Record<string, string> = { host: 'bench.test', authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return toProxyEvent({ method, path, headers, body: body === undefined ? null : JSON.stringify(body) }, match.route, match.pathParameters);
}

interface Figures {
  operation: string;
  count: number;
  perSecond: number;
  cpuMsPerOp: number;
  p50: number;
  p99: number;
  dynamoRequestsPerOp: number;
}

async function measure(
  operation: string,
  inputs: (() => APIGatewayProxyEvent)[],
  handler: Handler,
  expected: number,
  countRequests: () => Promise<number>,
): Promise<{ figures: Figures; results: any[] }> {
  const latencies: number[] = [];
  const results: any[] = new Array(inputs.length);
  const requestsBefore = await countRequests();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < inputs.length) {
        const index = next++;
        const t0 = performance.now();
        const result = await handler(inputs[index]!());
        latencies.push(performance.now() - t0);
        if (result.statusCode !== expected) throw new Error(`${operation}: status ${result.statusCode} ${result.body}`);
        results[index] = result.body ? JSON.parse(result.body) : undefined;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const requests = (await countRequests()) - requestsBefore;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 100) / 100;
  return {
    results,
    figures: {
      operation,
      count: inputs.length,
      perSecond: Math.round((inputs.length / elapsed) * 1000),
      cpuMsPerOp: Math.round(((cpu.user + cpu.system) / 1000 / inputs.length) * 1000) / 1000,
      p50: pick(0.5),
      p99: pick(0.99),
      dynamoRequestsPerOp: Math.round((requests / inputs.length) * 100) / 100,
    },
  };
}

async function main() {
  const dynamo = await startChildDynamoDb();
  const clientConfig = { endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
  const tableName = 'dcr-bench';
  await ensureClientTable(new DynamoDBClient(clientConfig), tableName);
  const issuer = await createDevIssuer(ISSUER);
  const settings = { ...DEFAULT_SETTINGS, registrationEnabled: true, managementEnabled: true };
  setRuntime({
    dependencies: {
      store: new DynamoDbClientStore(createDocumentClient(clientConfig), tableName),
      settings: staticSettings(settings),
      initialAccessTokens: new JwtInitialAccessTokenVerifier({
        issuer: ISSUER,
        jwksUri: issuer.jwksUri,
        keySet: createLocalJWKSet(issuer.jwks),
      }),
      secretSealer: new LocalSecretSealer(LocalSecretSealer.generateKey()),
      now: Date.now,
      random: systemRandom,
    },
    publicBaseUrl: 'https://bench.test',
  });
  const iat = await issuer.mint({ scope: settings.initialAccessTokenScopes.join(' ') });
  const metadata = (i: number) => ({
    client_name: `Bench client ${i}`,
    redirect_uris: [`https://app${i}.example.com/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email',
    contacts: ['ops@example.com'],
  });

  // warm up: JIT, connection pool, JWKS import
  await measure(
    'warm-up',
    Array.from({ length: WARMUP }, (_, i) => () => event('POST', '/as/clients.oauth2', iat, metadata(i))),
    registerHandler,
    201,
    dynamo.requestCount,
  );

  const rows: Figures[] = [];
  const registered = await measure(
    'register (POST)',
    Array.from({ length: COUNT }, (_, i) => () => event('POST', '/as/clients.oauth2', iat, metadata(i))),
    registerHandler,
    201,
    dynamo.requestCount,
  );
  rows.push(registered.figures);
  const clients = registered.results as { client_id: string; registration_access_token: string }[];
  const read = await measure(
    'read (GET, rotation on)',
    clients.map((c) => () => event('GET', `/as/clients.oauth2/${c.client_id}`, c.registration_access_token)),
    readHandler,
    200,
    dynamo.requestCount,
  );
  rows.push(read.figures);
  const afterRead = read.results as { client_id: string; registration_access_token: string; client_secret: string }[];
  const updated = await measure(
    'update (PUT, rotation on)',
    afterRead.map(
      (c, i) => () =>
        event('PUT', `/as/clients.oauth2/${c.client_id}`, c.registration_access_token, {
          ...metadata(i),
          client_id: c.client_id,
          client_name: 'renamed',
        }),
    ),
    updateHandler,
    200,
    dynamo.requestCount,
  );
  rows.push(updated.figures);
  const afterUpdate = updated.results as { client_id: string; registration_access_token: string }[];
  rows.push(
    (
      await measure(
        'delete (DELETE)',
        afterUpdate.map((c) => () => event('DELETE', `/as/clients.oauth2/${c.client_id}`, c.registration_access_token)),
        deleteHandler,
        204,
        dynamo.requestCount,
      )
    ).figures,
  );

  const floorClient = new DynamoDBClient(clientConfig);
  const { Item: template } = await floorClient.send(
    new GetItemCommand({ TableName: tableName, Key: { client_id: { S: clients[0]!.client_id } }, ConsistentRead: true }),
  );
  const floor = await measureFloor(floorHandlers(floorClient, tableName, template!), metadata, dynamo.requestCount);

  console.log(`node ${process.version}, ${COUNT} operations each, concurrency ${CONCURRENCY}, dynalite in a child process`);
  console.table(
    rows.map((row, i) => ({
      operation: row.operation,
      count: row.count,
      'ops/s': row.perSecond,
      'cpu ms/op': row.cpuMsPerOp,
      'floor cpu ms/op': floor[i]!.cpuMsPerOp,
      '× floor': Math.round((row.cpuMsPerOp / floor[i]!.cpuMsPerOp) * 100) / 100,
      'p50 ms': row.p50,
      'p99 ms': row.p99,
      'DynamoDB req/op': row.dynamoRequestsPerOp,
    })),
  );
  dynamo.close();
}

/** The floor's four operations, warmed up as the service's were. */
async function measureFloor(
  floor: FloorHandlers,
  metadata: (i: number) => Record<string, unknown>,
  countRequests: () => Promise<number>,
): Promise<Figures[]> {
  const registerAll = (operation: string, count: number) =>
    measure(
      operation,
      Array.from({ length: count }, (_, i) => () => event('POST', '/as/clients.oauth2', '', metadata(i))),
      floor.register,
      201,
      countRequests,
    );
  await registerAll('floor warm-up', WARMUP);
  const registered = await registerAll('floor register', COUNT);
  type Held = { client_id: string; registration_access_token: string };
  const read = await measure(
    'floor read',
    (registered.results as Held[]).map((c) => () => event('GET', `/as/clients.oauth2/${c.client_id}`, c.registration_access_token)),
    floor.read,
    200,
    countRequests,
  );
  const updated = await measure(
    'floor update',
    (read.results as Held[]).map(
      (c, i) => () =>
        event('PUT', `/as/clients.oauth2/${c.client_id}`, c.registration_access_token, { ...metadata(i), client_name: 'renamed' }),
    ),
    floor.update,
    200,
    countRequests,
  );
  const deleted = await measure(
    'floor delete',
    (updated.results as Held[]).map(
      (c, i) => () => event('DELETE', `/as/clients.oauth2/${(read.results as Held[])[i]!.client_id}`, c.registration_access_token),
    ),
    floor.delete,
    204,
    countRequests,
  );
  return [registered.figures, read.figures, updated.figures, deleted.figures];
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
