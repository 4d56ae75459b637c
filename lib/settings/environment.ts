import { isIP } from 'node:net';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { LOOPBACK_HOSTS } from '../metadata/uri.js';

// The environment catalogue: every variable the functions and the local server read besides the
// settings of lib/settings/catalog.ts, with its parser. The runtime reads the environment only through
// readEnvironment(); the stateless stack and the local server set it only through environmentOf();
// docs/settings.md lists it (a test holds the three to this table). What each variable means, who sets
// it and what its absence means is in environment-docs.ts, which the functions do not load: every
// route imports this module, and prose it never shows would only lengthen its cold start.
//
// Parsing is strict: a value that does not parse is an error naming the variable, never a silent
// fallback (a typo must not turn a check off). An empty value means "not set"; a value of only blanks
// is refused, since no variable here gives blanks a meaning.

export interface EnvironmentVariable<T> {
  readonly name: string;
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

function variable<T>(name: string, parse: (value: string) => T): EnvironmentVariable<T> {
  return { name, parse };
}

export const ENVIRONMENT = {
  tableName: variable('DCR_TABLE_NAME', text),
  ssmPrefix: variable('DCR_SSM_PREFIX', text),
  settingsTtlSeconds: variable('DCR_SETTINGS_TTL_SECONDS', seconds),
  secretKeyId: variable('DCR_SECRET_KEY_ID', text),
  localSecretKey: variable('DCR_LOCAL_SECRET_KEY', aesKey),
  publicBaseUrl: variable('DCR_PUBLIC_BASE_URL', baseUrl),
  iatIssuer: variable('DCR_IAT_ISSUER', text),
  iatJwksUri: variable('DCR_IAT_JWKS_URI', httpsUrl),
  iatAudience: variable('DCR_IAT_AUDIENCE', text),
  iatIntrospectionUrl: variable('DCR_IAT_INTROSPECTION_URL', httpsUrl),
  iatIntrospectionClientId: variable('DCR_IAT_INTROSPECTION_CLIENT_ID', text),
  iatIntrospectionClientSecret: variable('DCR_IAT_INTROSPECTION_CLIENT_SECRET', text),
  iatIntrospectionClientSecretParameter: variable('DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER', text),
  iatIntrospectionCacheSeconds: variable('DCR_IAT_INTROSPECTION_CACHE_SECONDS', seconds),
  iatTableName: variable('DCR_IAT_TABLE_NAME', text),
  eventBusName: variable('DCR_EVENT_BUS_NAME', text),
  registrationPoliciesFile: variable('DCR_REGISTRATION_POLICIES_FILE', text),
  logLevel: variable('DCR_LOG_LEVEL', logLevel),
  stage: variable('DCR_STAGE', text),
  localDataDir: variable('DCR_LOCAL_DATA_DIR', text),
  host: variable('HOST', text),
  port: variable('PORT', port),
  localFetchHosts: variable('DCR_LOCAL_FETCH_HOSTS', hostList),
  localFetchCaFile: variable('DCR_LOCAL_FETCH_CA_FILE', text),
  dynamoDbEndpoint: variable('AWS_ENDPOINT_URL_DYNAMODB', text),
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
