import { createHash } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createLocalJWKSet, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { handler as deleteHandler } from '../../functions/delete.js';
import { handler as readHandler } from '../../functions/read.js';
import { handler as registerHandler } from '../../functions/register.js';
import { handler as updateHandler } from '../../functions/update.js';
import { createDevIssuer, type DevIssuer } from '../../infra/local/dev-issuer.js';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../infra/local/embedded-dynamodb.js';
import { matchRoute, toProxyEvent } from '../../infra/local/proxy-event.js';
import type { SectorIdentifierFetcher } from '../../lib/metadata/sector-identifier.js';
import { clientQuotaOnFirstUse } from '../../lib/runtime/client-quota.js';
import { setRuntime } from '../../lib/runtime/route.js';
import { DEFAULT_SETTINGS, type Settings } from '../../lib/settings/catalog.js';
import { createDocumentClient, type DocumentClientConfig, DynamoDbClientStore } from '../../lib/store/dynamodb-client-store.js';
import { ensureClientTable } from '../../lib/store/ensure-table.js';
import { type InitialAccessTokenVerifier, JwtInitialAccessTokenVerifier } from '../../lib/tokens/initial-access-token.js';
import { LocalSecretSealer } from '../../lib/tokens/secret-sealer.js';
import { type RandomSource, systemRandom } from '../../lib/tokens/secrets.js';

// Integration harness: the real Lambda handlers (functions/*.ts), called with the API Gateway events
// the local server builds, against dynalite in this process. Settings can change between calls.

export const BASE_URL = 'https://dcr.example.test';
export const REGISTRATION_PATH = '/as/clients.oauth2';
/** A registration access token: a hint of the client's kind of secret (s, r, n), a dot, 256 random bits. */
export const REGISTRATION_ACCESS_TOKEN = /^[srn]\.[A-Za-z0-9_-]{43}$/;
const ISSUER_URL = 'https://issuer.example.test';
const HANDLERS: Record<string, (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>> = {
  register: registerHandler,
  read: readHandler,
  update: updateHandler,
  delete: deleteHandler,
};

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body is empty. */
  readonly body: any;
  readonly rawBody: string;
}

export interface CallOptions {
  /** Object bodies are JSON-encoded; strings are sent as they are. */
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** The Lambda context the handler gets (absent: none, as in local mode). */
  readonly context?: Partial<Context>;
}

export interface Harness {
  readonly dynamoDb: EmbeddedDynamoDb;
  /** DynamoDB client settings of the embedded datastore, and the client table (for the client directory). */
  readonly dynamoDbConfig: DocumentClientConfig;
  readonly tableName: string;
  /** The sealer of recoverable secrets the handlers use (absent with withSecretSealer: false). */
  readonly secretSealer?: LocalSecretSealer;
  readonly issuer: DevIssuer;
  /** Current settings; change them with configure(). */
  settings: Settings;
  configure(changes: Partial<Settings>): void;
  /** A signed initial access token with the required scope (override claims as needed). */
  initialAccessToken(claims?: { scope?: string; sub?: string; aud?: string }, lifetimeSeconds?: number): Promise<string>;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  register(metadata: Record<string, unknown>): Promise<Answer>;
  /** Every item in the table (tests only: a scan is fine here). */
  items(): Promise<Record<string, any>[]>;
  item(clientId: string): Promise<Record<string, any> | undefined>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly settings?: Partial<Settings>;
  /** false: no table configured (registration inactive). */
  readonly withStore?: boolean;
  /** false: no initial access token issuer configured. */
  readonly withIssuer?: boolean;
  /** false: no key to keep secrets recoverable (client_secret_jwt clients are then refused). */
  readonly withSecretSealer?: boolean;
  /** The `aud` initial access tokens must carry; not checked when absent (the default). */
  readonly audience?: string;
  /** Public keys the verifier trusts besides h.issuer's, as if the issuer published them: lets a test sign any claims. */
  readonly trustedKeys?: readonly JWK[];
  /**
   * Reads sector_identifier_uri documents; absent: the production fetcher (public addresses only).
   * A test serving the document locally passes createSectorIdentifierFetcher({ allowAddresses: ['127.0.0.1'], ca }).
   */
  readonly sectorIdentifiers?: SectorIdentifierFetcher;
  /**
   * Builds the initial access token verifier in place of the default one (the JWT verifier of h.issuer,
   * passed in as `jwt` unless withIssuer is false), e.g. a composite with introspection or tokens of this
   * service; `dynamoDb` is the client configuration of the embedded DynamoDB.
   */
  readonly initialAccessTokens?: (parts: {
    jwt?: InitialAccessTokenVerifier;
    dynamoDb: DocumentClientConfig;
  }) => InitialAccessTokenVerifier | undefined;
  /** Random bytes for client ids and secrets; absent: the system's. A test repeats bytes to make a client write collide. */
  readonly random?: RandomSource;
  /** The clock of the use cases and the store (milliseconds since the epoch); absent: Date.now. */
  readonly now?: () => number;
  /** Where the service reaches the embedded DynamoDB (a test puts a proxy in between); the test's own reads go direct. */
  readonly dynamoDbEndpoint?: (embedded: string) => string | Promise<string>;
}

export function clientPath(clientId: string): string {
  return `${REGISTRATION_PATH}/${encodeURIComponent(clientId)}`;
}

/** SHA-256, base64url: computed here independently of lib/tokens, to check what the table holds. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

// Members of the client information that are not registered metadata (RFC 7591 §3.2.1, RFC 7592 §3).
const CLIENT_INFORMATION_ONLY = [
  'client_id',
  'client_secret',
  'client_secret_expires_at',
  'client_id_issued_at',
  'registration_access_token',
  'registration_client_uri',
];

/** The registered metadata of a client information response: what the item's metadata map must equal. */
export function registeredMetadata(clientInformation: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(clientInformation).filter(([name]) => !CLIENT_INFORMATION_ONLY.includes(name)));
}

/** A response header by name, whatever its case (HTTP header names are case-insensitive). */
export function header(answer: Answer, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(answer.headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

/** docs/reference.md: every response, errors included, carries Cache-Control: no-store and Pragma: no-cache. */
export function expectNoStore(answer: Answer): void {
  expect(header(answer, 'Cache-Control')).toBe('no-store');
  expect(header(answer, 'Pragma')).toBe('no-cache');
}

/** An OAuth error answer: the status, a JSON body {error, error_description}, and no caching. */
export function expectError(answer: Answer, status: number, error: string): void {
  expect({ status: answer.status, error: answer.body?.error }).toEqual({ status, error });
  expect(answer.body).toEqual({ error, error_description: expect.any(String) });
  expect(header(answer, 'Content-Type')).toMatch(/^application\/json/);
  expectNoStore(answer);
}

/** Settings of the harness: everything on, so each test switches off only what it examines. */
export const HARNESS_SETTINGS: Settings = { ...DEFAULT_SETTINGS, registrationEnabled: true, managementEnabled: true };

/**
 * The harness of the enclosing describe block (or file), with its hooks: started before its tests,
 * closed after them, and its settings put back to HARNESS_SETTINGS (with options.settings) before each
 * test, so a test changes with configure() only what it examines. The handle stands for the harness
 * once started: use it in hooks and tests, not while the file is collected. Options that need work
 * first (keys to generate, a server started by an earlier beforeAll) are given as a function, called
 * when the harness starts.
 */
export function useHarness(options: HarnessOptions | (() => HarnessOptions | Promise<HarnessOptions>) = {}): Harness {
  let started: { harness: Harness; settings: Settings } | undefined;
  const current = (): Harness => {
    if (!started) throw new Error('the harness is used outside its tests (it starts in beforeAll)');
    return started.harness;
  };
  beforeAll(async () => {
    const resolved = typeof options === 'function' ? await options() : options;
    const harness = await startHarness(resolved);
    started = { harness, settings: harness.settings };
  });
  afterAll(async () => {
    const harness = started?.harness;
    started = undefined;
    await harness?.close();
  });
  beforeEach(() => {
    current().settings = started!.settings;
  });
  return new Proxy({} as Harness, {
    get: (_, member) => current()[member as keyof Harness],
    set: (_, member, value) => {
      (current() as any)[member] = value;
      return true;
    },
  });
}

/** A harness without hooks: prefer useHarness(), which starts, resets and closes it for you. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dynamoDb = await startEmbeddedDynamoDb();
  const clientConfig = { endpoint: dynamoDb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const tableName = 'dcr-clients-test';
  const raw = new DynamoDBClient(clientConfig);
  await ensureClientTable(raw, tableName);
  const issuer = await createDevIssuer(ISSUER_URL);
  const secretSealer = options.withSecretSealer === false ? undefined : new LocalSecretSealer(LocalSecretSealer.generateKey());

  const harness: Harness = {
    dynamoDb,
    dynamoDbConfig: clientConfig,
    tableName,
    secretSealer,
    issuer,
    settings: { ...HARNESS_SETTINGS, ...options.settings },
    configure(changes) {
      harness.settings = { ...harness.settings, ...changes };
    },
    initialAccessToken(claims = {}, lifetimeSeconds) {
      return issuer.mint({ scope: harness.settings.initialAccessTokenScopes.join(' '), ...claims }, lifetimeSeconds);
    },
    async call(method, path, callOptions = {}) {
      const match = matchRoute(method, path);
      if (match.kind !== 'route') throw new Error(`no route for ${method} ${path}`);
      const headers: Record<string, string> = { host: 'dcr.example.test', ...callOptions.headers };
      if (callOptions.token !== undefined) headers.authorization = `Bearer ${callOptions.token}`;
      let body: string | null = null;
      if (callOptions.body !== undefined) {
        body = typeof callOptions.body === 'string' ? callOptions.body : JSON.stringify(callOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const event = toProxyEvent({ method, path, headers, body }, match.route, match.pathParameters);
      const result = await HANDLERS[match.route.name]!(event, callOptions.context as Context | undefined);
      const resultHeaders = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
      return {
        status: result.statusCode,
        headers: resultHeaders,
        body: result.body ? JSON.parse(result.body) : undefined,
        rawBody: result.body,
      };
    },
    async register(metadata) {
      return harness.call('POST', REGISTRATION_PATH, { body: metadata, token: await harness.initialAccessToken() });
    },
    async items() {
      const { Items = [] } = await raw.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return Items.map((item) => unmarshall(item));
    },
    async item(clientId) {
      return (await harness.items()).find((item) => item.client_id === clientId);
    },
    async close() {
      setRuntime(undefined);
      raw.destroy();
      await dynamoDb.close().catch((error: NodeJS.ErrnoException) => {
        // a test may have stopped the endpoint already to play an outage
        if (error.code !== 'ERR_SERVER_NOT_RUNNING') throw error;
      });
    },
  };

  const jwtVerifier =
    options.withIssuer === false
      ? undefined
      : new JwtInitialAccessTokenVerifier({
          issuer: ISSUER_URL,
          jwksUri: issuer.jwksUri,
          audience: options.audience,
          keySet: createLocalJWKSet({ keys: [...issuer.jwks.keys, ...(options.trustedKeys ?? [])] }),
        });
  const serviceConfig = options.dynamoDbEndpoint
    ? { ...clientConfig, endpoint: await options.dynamoDbEndpoint(dynamoDb.endpoint) }
    : clientConfig;
  setRuntime({
    dependencies: {
      store: options.withStore === false ? undefined : new DynamoDbClientStore(createDocumentClient(serviceConfig), tableName, options.now),
      // the cap counters of the registration policies (absent with the table, like the store), loaded on
      // the first place taken or given back, as the functions wire them
      quota: options.withStore === false ? undefined : clientQuotaOnFirstUse(createDocumentClient(serviceConfig), tableName),
      settings: { current: async () => harness.settings },
      initialAccessTokens: options.initialAccessTokens
        ? options.initialAccessTokens({ jwt: jwtVerifier, dynamoDb: clientConfig })
        : jwtVerifier,
      // the local-mode sealer (AES-GCM, a key of this process) stands in for KMS
      secretSealer,
      sectorIdentifiers: options.sectorIdentifiers,
      now: options.now ?? Date.now,
      random: options.random ?? systemRandom,
    },
    publicBaseUrl: BASE_URL,
  });
  return harness;
}
