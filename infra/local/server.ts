import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { EventTapStore } from '../../lib/events/event-tap-store.js';
import { EVENT_SOURCE, type LifecycleEvent } from '../../lib/events/lifecycle-events.js';
import { log } from '../../lib/log.js';
import type { Runtime } from '../../lib/runtime/core.js';
import { runtimeFromEnv } from '../../lib/runtime/from-env.js';
import { setRuntime } from '../../lib/runtime/route.js';
import type { Settings } from '../../lib/settings/catalog.js';
import { environmentOf, readEnvironment } from '../../lib/settings/environment.js';
import { ensureInitialAccessTokenTable } from '../../lib/store/dynamodb-initial-access-token-store.js';
import { ensureClientTable } from '../../lib/store/ensure-table.js';
import { ROUTES, type RouteName } from '../routes.js';
import { createDevIssuer, DEV_ISSUER_JWKS_PATH, type DevIssuer } from './dev-issuer.js';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from './embedded-dynamodb.js';
import { localSecretKey } from './local-secret-key.js';
import { matchRoute, toProxyEvent } from './proxy-event.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// API Gateway's own payload limit; the handlers apply the service's 64 KiB limit themselves.
const MAX_READ_BYTES = 10 * 1024 * 1024;

/** Local mode turns on what AWS leaves off by default, so `npm start` is usable at once. */
export const LOCAL_SETTING_DEFAULTS: Partial<Settings> = { registrationEnabled: true, managementEnabled: true };

export interface LocalServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Variables the server reads (DCR_*, AWS_ENDPOINT_URL_DYNAMODB, ...); process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LocalServer {
  readonly url: string;
  readonly tableName: string;
  /** Table of the initial access tokens this service issues (`npm run admin -- iat create`). */
  readonly initialAccessTokenTableName: string;
  /** The embedded DynamoDB, unless AWS_ENDPOINT_URL_DYNAMODB pointed elsewhere. */
  readonly dynamoDb?: EmbeddedDynamoDb;
  readonly dynamoDbEndpoint: string;
  /** The development issuer, when no DCR_IAT_ISSUER was configured. */
  readonly devIssuer?: DevIssuer;
  readonly settings: Settings;
  close(): Promise<void>;
}

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * The API on node:http: each request becomes the API Gateway proxy event of its route and goes to
 * the same handler file Lambda runs. One server per process (the handlers share the process runtime).
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const env = options.env ?? process.env;
  const handlers = await loadHandlers();
  let devIssuer: DevIssuer | undefined;
  let setUp!: () => void;
  // The server listens before the runtime exists (the dev issuer needs the URL); a request that
  // arrives in between waits, instead of a handler building a runtime of its own from process.env.
  const ready = new Promise<void>((resolve) => (setUp = resolve));

  const server = createServer((request, response) => {
    ready
      .then(() => serve(request, response, handlers, devIssuer))
      .catch((error) => {
        console.error(JSON.stringify({ level: 'error', message: 'local server failure', error: (error as Error).message }));
        if (!response.headersSent) send(response, 500, { error: 'server_error', error_description: 'the local server failed' });
      });
  });
  server.on('clientError', answerUnparsable);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const stopListening = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  // A failed start (bad setting value, unreachable DynamoDB) must not leave the port or dynalite open.
  let dynamoDb: EmbeddedDynamoDb | undefined;
  let dynamoDbEndpoint: string;
  let tableName: string;
  let iatTableName: string;
  let settings: Settings;
  let localKey: string | undefined;
  try {
    // every variable of the environment catalogue parsed strictly: a bad value stops the start, named
    const environment = readEnvironment(env);
    const external = environment.dynamoDbEndpoint;
    dynamoDb = external ? undefined : await startEmbeddedDynamoDb({ dataDir: environment.localDataDir });
    dynamoDbEndpoint = external || dynamoDb!.endpoint;
    const clientConfig = {
      endpoint: dynamoDbEndpoint,
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      // dynalite and LocalStack accept any credentials; without some, the SDK would search for real ones
      ...(env.AWS_ACCESS_KEY_ID ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    };
    tableName = environment.tableName ?? 'dcr-clients';
    // initial access tokens of this service (`npm run admin -- iat create`) live in a table of their own
    iatTableName = environment.iatTableName ?? 'dcr-initial-access-tokens';
    const tableClient = new DynamoDBClient(clientConfig);
    try {
      await ensureClientTable(tableClient, tableName);
      await ensureInitialAccessTokenTable(tableClient, iatTableName);
    } finally {
      tableClient.destroy();
    }

    if (environment.secretKeyId === undefined && environment.localSecretKey === undefined) {
      localKey = await localSecretKey(environment.localDataDir);
    }
    if (environment.iatIssuer === undefined) devIssuer = await createDevIssuer(url);
    const runtimeEnv: NodeJS.ProcessEnv = {
      ...env,
      ...environmentOf({
        tableName,
        iatTableName,
        // empty: never SSM here; the settings come from the DCR_* variables
        ssmPrefix: '',
        publicBaseUrl: environment.publicBaseUrl ?? url,
        localSecretKey: localKey,
        iatIssuer: devIssuer?.issuer,
        iatJwksUri: devIssuer?.jwksUri,
      }),
    };
    const runtime = withLocalEvents(runtimeFromEnv(runtimeEnv, { settingsFallback: LOCAL_SETTING_DEFAULTS, dynamoDb: clientConfig }));
    setRuntime(runtime);
    settings = await runtime.dependencies.settings.current();
  } catch (error) {
    await stopListening();
    setRuntime(undefined);
    await dynamoDb?.close();
    throw error;
  }
  setUp();

  return {
    url,
    tableName,
    initialAccessTokenTableName: iatTableName,
    dynamoDb,
    dynamoDbEndpoint,
    devIssuer,
    settings,
    close: async () => {
      await stopListening();
      setRuntime(undefined);
      await dynamoDb?.close();
    },
  };
}

/**
 * The embedded DynamoDB has no stream: the store is wrapped so each write goes through the lifecycle
 * events mapping, and the events are printed as log lines (docs/lifecycle.md).
 */
function withLocalEvents(runtime: Runtime): Runtime {
  const store = runtime.dependencies.store;
  if (!store) return runtime;
  const print = (events: readonly LifecycleEvent[]) => {
    for (const event of events) log('info', 'lifecycle event', { source: EVENT_SOURCE, 'detail-type': event.type, detail: event.detail });
  };
  return { ...runtime, dependencies: { ...runtime.dependencies, store: new EventTapStore(store, print, runtime.dependencies.now) } };
}

async function loadHandlers(): Promise<Map<RouteName, Handler>> {
  const handlers = new Map<RouteName, Handler>();
  for (const route of ROUTES) {
    const module = (await import(pathToFileURL(join(REPO_ROOT, route.entry)).href)) as { handler: Handler };
    handlers.set(route.name, module.handler);
  }
  return handlers;
}

async function serve(request: IncomingMessage, response: ServerResponse, handlers: Map<RouteName, Handler>, devIssuer?: DevIssuer) {
  const url = requestUrl(request.url);
  if (!url) return send(response, 400, { error: 'invalid_request', error_description: 'the request target is not a valid path' });
  const method = request.method ?? 'GET';
  if (devIssuer && method === 'GET' && url.pathname === DEV_ISSUER_JWKS_PATH) {
    return send(response, 200, devIssuer.jwks);
  }
  const match = matchRoute(method, url.pathname);
  if (match.kind === 'no-route')
    return send(response, 404, { error: 'not_found', error_description: `no route for ${method} ${url.pathname}` });
  if (match.kind === 'bad-path') {
    const description = `the path parameter ${match.parameter} holds a malformed percent-escape`;
    return send(response, 400, { error: 'invalid_request', error_description: description });
  }
  if (match.kind === 'wrong-method') {
    return send(
      response,
      405,
      { error: 'invalid_request', error_description: `${method} is not supported here` },
      { Allow: match.allow.join(', ') },
    );
  }
  const body = await readBody(request);
  if (body === undefined) return send(response, 413, { error: 'invalid_request', error_description: 'the request body is too large' });
  const event = toProxyEvent(
    {
      method,
      path: url.pathname,
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
      ),
      body: body.length ? body.toString('utf8') : null,
      query: Object.fromEntries(url.searchParams),
    },
    match.route,
    match.pathParameters,
  );
  const result = await handlers.get(match.route.name)!(event);
  response.writeHead(result.statusCode, result.headers as Record<string, string>);
  response.end(result.body);
}

/**
 * A request Node's HTTP parser refuses (a control character or non-ASCII byte in the target, a
 * malformed header line, headers over the size limit) gets a JSON answer as well, not a bare 400.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, reason] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const body = JSON.stringify({ error: 'invalid_request', error_description: 'the request is not valid HTTP/1.1' });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The request target as a URL (origin-form or absolute-form); undefined when it does not parse. */
function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://local');
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}
