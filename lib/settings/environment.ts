import { isIP } from 'node:net';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { LOOPBACK_HOSTS } from '../metadata/uri.js';

// The environment catalogue: every variable the functions and the local server read besides the
// settings of lib/settings/catalog.ts, with its meaning, who sets it and its parser. The runtime reads
// the environment only through readEnvironment(); the stateless stack and the local server set it only
// through environmentOf(); docs/settings.md lists it (a test holds the three to this table).
//
// Parsing is strict: a value that does not parse is an error naming the variable, never a silent
// fallback (a typo must not turn a check off). An empty value means "not set"; a value of only blanks
// is refused, since no variable here gives blanks a meaning.

/** Who puts the variable in the function's environment. */
export type SetBy = 'stack' | 'stack (from context)' | 'local server' | 'operator';

export interface EnvironmentVariable<T> {
  readonly name: string;
  readonly meaning: string;
  readonly setBy: readonly SetBy[];
  /** What an unset variable means, in words (for the docs). */
  readonly whenUnset: string;
  /** Parses a non-blank, trimmed value; throws an Error whose message says what is expected. */
  readonly parse: (value: string) => T;
}

const text = (value: string) => value;

function seconds(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(parsed)) throw new Error('must be a number of seconds (0 or more)');
  return parsed;
}

function logLevel(value: string): LogLevel {
  const level = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
  return level as LogLevel;
}

// a server on this machine may listen on any address of 127.0.0.0/8, not only the names of the list
function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || (isIP(hostname) === 4 && hostname.startsWith('127.'));
}

/** An absolute https URL; plain http only to this machine (local development, tests). */
function httpsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('must be an absolute https URL');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url.href;
  throw new Error('must be an https URL (http only for 127.0.0.1, [::1] or localhost)');
}

/** The base of registration_client_uri: an http(s) origin with an optional path, nothing else. */
function baseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('must be an absolute http(s) URL such as https://dcr.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('must be an http(s) URL such as https://dcr.example.com');
  if (url.username || url.password || url.search || url.hash) throw new Error('must not carry credentials, a query or a fragment');
  return url.href.replace(/\/+$/, '');
}

/** 32 bytes, base64url: the local AES-256-GCM key. */
function aesKey(value: string): Buffer {
  const key = Buffer.from(value, 'base64url');
  if (!/^[A-Za-z0-9_-]+$/.test(value) || key.length !== 32) throw new Error('must be 32 bytes in base64url (43 characters)');
  return key;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) throw new Error('must be a port number (0 picks a free one)');
  return parsed;
}

/** Host names or IP literals separated by blanks or commas. */
function hostList(value: string): string[] {
  const hosts = value.split(/[\s,]+/).filter(Boolean);
  const bad = hosts.find((host) => /[/:@?#]/.test(host.replace(/^\[.*\]$/, '')));
  if (bad !== undefined)
    throw new Error(
      `must be host names or addresses (no scheme, port or path), such as 127.0.0.1 localhost; ${JSON.stringify(bad)} is not`,
    );
  return hosts;
}

function variable<T>(definition: EnvironmentVariable<T>): EnvironmentVariable<T> {
  return definition;
}

export const ENVIRONMENT = {
  tableName: variable({
    name: 'DCR_TABLE_NAME',
    meaning: 'DynamoDB table of the registered clients (and the cap counters)',
    setBy: ['stack', 'local server'],
    whenUnset: 'registration is inactive: every route answers 503',
    parse: text,
  }),
  ssmPrefix: variable({
    name: 'DCR_SSM_PREFIX',
    meaning: 'SSM path of the settings, e.g. /dcr/prod/; read in one GetParameters call',
    setBy: ['stack'],
    whenUnset: 'the settings come from their DCR_* variables instead (local mode)',
    parse: text,
  }),
  settingsTtlSeconds: variable({
    name: 'DCR_SETTINGS_TTL_SECONDS',
    meaning: 'how long a function keeps the SSM settings before it reads them again',
    setBy: ['stack (from context)'],
    whenUnset: '15',
    parse: seconds,
  }),
  secretKeyId: variable({
    name: 'DCR_SECRET_KEY_ID',
    meaning: 'KMS key that seals the client secrets that must stay recoverable (client_secret_jwt, HS* algorithms)',
    setBy: ['stack'],
    whenUnset: 'DCR_LOCAL_SECRET_KEY is used; with neither, such clients are refused with a 503',
    parse: text,
  }),
  localSecretKey: variable({
    name: 'DCR_LOCAL_SECRET_KEY',
    meaning: 'local mode: AES-256-GCM key (base64url) in place of KMS',
    setBy: ['local server'],
    whenUnset: 'the local server makes one (kept in DCR_LOCAL_DATA_DIR when set)',
    parse: aesKey,
  }),
  publicBaseUrl: variable({
    name: 'DCR_PUBLIC_BASE_URL',
    meaning: 'absolute base of registration_client_uri (a custom domain)',
    setBy: ['stack (from context)', 'local server'],
    whenUnset: "each request's own host and stage",
    parse: baseUrl,
  }),
  iatIssuer: variable({
    name: 'DCR_IAT_ISSUER',
    meaning: 'issuer of initial access tokens that are JWTs; also checked on introspection answers',
    setBy: ['stack (from context)', 'local server'],
    whenUnset: 'JWTs are not accepted (the local server starts a development issuer)',
    parse: text,
  }),
  iatJwksUri: variable({
    name: 'DCR_IAT_JWKS_URI',
    meaning: "the issuer's JWKS URI (https); goes with DCR_IAT_ISSUER",
    setBy: ['stack (from context)', 'local server'],
    whenUnset: 'JWTs are not accepted',
    parse: httpsUrl,
  }),
  iatAudience: variable({
    name: 'DCR_IAT_AUDIENCE',
    meaning: 'the aud an initial access token must carry (JWT or introspection answer)',
    setBy: ['stack (from context)', 'operator'],
    whenUnset: 'aud is not checked',
    parse: text,
  }),
  iatIntrospectionUrl: variable({
    name: 'DCR_IAT_INTROSPECTION_URL',
    meaning: 'RFC 7662 introspection endpoint for opaque initial access tokens (https)',
    setBy: ['stack (from context)', 'operator'],
    whenUnset: 'opaque tokens of an authorization server are not accepted',
    parse: httpsUrl,
  }),
  iatIntrospectionClientId: variable({
    name: 'DCR_IAT_INTROSPECTION_CLIENT_ID',
    meaning: "this service's client id at the introspection endpoint",
    setBy: ['stack (from context)', 'operator'],
    whenUnset: 'needed with DCR_IAT_INTROSPECTION_URL',
    parse: text,
  }),
  iatIntrospectionClientSecret: variable({
    name: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET',
    meaning: 'local mode: the introspection client secret itself',
    setBy: ['operator'],
    whenUnset: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER names it instead',
    parse: text,
  }),
  iatIntrospectionClientSecretParameter: variable({
    name: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER',
    meaning: 'SSM SecureString holding the introspection client secret (read on first use)',
    setBy: ['stack (from context)'],
    whenUnset: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET holds it instead',
    parse: text,
  }),
  iatIntrospectionCacheSeconds: variable({
    name: 'DCR_IAT_INTROSPECTION_CACHE_SECONDS',
    meaning: 'how long a positive introspection answer is reused',
    setBy: ['stack (from context)', 'operator'],
    whenUnset: '60',
    parse: seconds,
  }),
  iatTableName: variable({
    name: 'DCR_IAT_TABLE_NAME',
    meaning: 'DynamoDB table of the initial access tokens this service issues (npm run admin -- iat)',
    setBy: ['stack', 'local server'],
    whenUnset: 'tokens of this service are not accepted',
    parse: text,
  }),
  eventBusName: variable({
    name: 'DCR_EVENT_BUS_NAME',
    meaning: 'the lifecycle events function: EventBridge bus (name or ARN) of the client lifecycle events',
    setBy: ['stack (from context)'],
    whenUnset: "the account's default event bus",
    parse: text,
  }),
  registrationPoliciesFile: variable({
    name: 'DCR_REGISTRATION_POLICIES_FILE',
    meaning: 'local mode: a file holding the registration policies document (instead of DCR_REGISTRATION_POLICIES)',
    setBy: ['operator'],
    whenUnset: 'DCR_REGISTRATION_POLICIES, else no policies',
    parse: text,
  }),
  logLevel: variable({
    name: 'DCR_LOG_LEVEL',
    meaning: `lowest level written to the logs: ${LOG_LEVELS.join(', ')}`,
    setBy: ['operator'],
    whenUnset: 'info',
    parse: logLevel,
  }),
  stage: variable({
    name: 'DCR_STAGE',
    meaning: 'the deployment stage (dev, prod, ...): a dimension of the metrics',
    setBy: ['stack'],
    whenUnset: 'local',
    parse: text,
  }),
  localDataDir: variable({
    name: 'DCR_LOCAL_DATA_DIR',
    meaning: 'local mode: folder that keeps the embedded DynamoDB data and the local secret key across restarts',
    setBy: ['operator'],
    whenUnset: 'in memory; gone when the server stops',
    parse: text,
  }),
  host: variable({
    name: 'HOST',
    meaning: 'local mode: the address the server listens on',
    setBy: ['operator'],
    whenUnset: '127.0.0.1',
    parse: text,
  }),
  port: variable({
    name: 'PORT',
    meaning: 'local mode: the port the server listens on',
    setBy: ['operator'],
    whenUnset: '3000',
    parse: port,
  }),
  localFetchHosts: variable({
    name: 'DCR_LOCAL_FETCH_HOSTS',
    meaning:
      'LOCAL DEVELOPMENT ONLY: hosts (space-separated, e.g. 127.0.0.1 localhost) the document fetcher may reach although they are not public, to serve a sector_identifier_uri, jwks_uri or Client ID Metadata Document locally; refused when DCR_SSM_PREFIX is set (AWS)',
    setBy: ['operator'],
    whenUnset: 'public addresses only',
    parse: hostList,
  }),
  localFetchCaFile: variable({
    name: 'DCR_LOCAL_FETCH_CA_FILE',
    meaning:
      'LOCAL DEVELOPMENT ONLY: PEM file of a certificate authority the document fetcher trusts besides the default ones; refused when DCR_SSM_PREFIX is set (AWS)',
    setBy: ['operator'],
    whenUnset: 'the default certificate authorities only',
    parse: text,
  }),
  dynamoDbEndpoint: variable({
    name: 'AWS_ENDPOINT_URL_DYNAMODB',
    meaning: 'local mode: another DynamoDB (LocalStack, DynamoDB Local) instead of the embedded one; the AWS SDK reads it too',
    setBy: ['operator'],
    whenUnset: 'the local server starts an embedded DynamoDB',
    parse: text,
  }),
} as const;

export type EnvironmentKey = keyof typeof ENVIRONMENT;
type ValueOf<K extends EnvironmentKey> = ReturnType<(typeof ENVIRONMENT)[K]['parse']>;
/** The parsed environment: a key is absent when its variable is not set. */
export type Environment = { readonly [K in EnvironmentKey]?: ValueOf<K> };

/** One or more variables do not parse; the message names each with what it expects. */
export class EnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment: ${problems.join('; ')}`);
    this.name = 'EnvironmentError';
  }
}

/** Parses every variable of the catalogue from `env`; throws EnvironmentError naming all that do not parse. */
export function readEnvironment(env: NodeJS.ProcessEnv): Environment {
  const parsed: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, definition] of Object.entries(ENVIRONMENT) as [EnvironmentKey, EnvironmentVariable<unknown>][]) {
    const raw = env[definition.name];
    if (raw === undefined || raw === '') continue;
    const value = raw.trim();
    if (value === '') {
      problems.push(`${definition.name} is blank (unset it, or give it a value)`);
      continue;
    }
    try {
      parsed[key] = definition.parse(value);
    } catch (error) {
      problems.push(`${definition.name} ${(error as Error).message}, not ${JSON.stringify(value)}`);
    }
  }
  if (problems.length) throw new EnvironmentError(problems);
  return parsed as Environment;
}

/** The variables for these values, by catalogue key: how the stack and the local server set them. */
export function environmentOf(values: { readonly [K in EnvironmentKey]?: string }): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(values) as [EnvironmentKey, string | undefined][]) {
    if (value !== undefined) variables[ENVIRONMENT[key].name] = value;
  }
  return variables;
}
