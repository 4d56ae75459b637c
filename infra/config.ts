// Reads the CDK context (cdk.json, `-c key=value`, or a test's App context) into one typed, validated
// config. Everything the stacks vary by stage comes from here, so a typo fails synthesis instead of
// deploying something unintended.

import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface DcrConfig {
  /** Stage name: suffix of the stack names, API Gateway stage, and `/dcr/<stage>/` SSM prefix. */
  readonly stage: string;
  /** `prod` / `production`: the table is retained and deletion-protected. */
  readonly production: boolean;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetention: RetentionDays;
  /** Initial access token verification; unset means registration cannot accept an IAT. */
  readonly iatIssuer?: string;
  readonly iatJwksUri?: string;
  readonly iatAudience?: string;
  /** Absolute base of registration_client_uri; unset means the request's host and stage. */
  readonly publicBaseUrl?: string;
  /** How long a function caches the SSM settings. */
  readonly settingsTtlSeconds: number;
  /**
   * Whether the API creates the account-wide API Gateway CloudWatch role, which access logging
   * needs. Turn it off (`-c apiGatewayCloudWatchRole=false`) where the account already has one.
   */
  readonly apiGatewayCloudWatchRole: boolean;
}

/** Context lookup: `node.tryGetContext` of an App or Stack, or a plain object in tests. */
export type ContextReader = (key: string) => unknown;

export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,20}$/;
const PRODUCTION_STAGES = new Set(['prod', 'production']);

export const DEFAULTS = {
  stage: 'dev',
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  logRetentionDays: 30,
  settingsTtlSeconds: 15,
} as const;

export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`CDK context "${key}": ${message}`);
    this.name = 'ConfigError';
  }
}

// RetentionDays is a numeric enum; its values are exactly what CloudWatch Logs accepts.
const VALID_RETENTION_DAYS = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function optionalString(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (isUnset(value)) return undefined;
  if (typeof value !== 'string') throw new ConfigError(key, `expected a string, got ${JSON.stringify(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

// `-c key=value` arrives as a string, cdk.json may hold a number: accept both, nothing else.
function number(read: ContextReader, key: string, fallback: number, check: (n: number) => boolean, rule: string): number {
  const value = read(key);
  if (isUnset(value)) return fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(parsed) || !check(parsed)) {
    throw new ConfigError(key, `expected ${rule}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function boolean(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (isUnset(value)) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(key, `expected true or false, got ${JSON.stringify(value)}`);
}

function httpsUrl(key: string, value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `expected an absolute https URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:') throw new ConfigError(key, `must be an https URL, got ${JSON.stringify(value)}`);
  if (url.hash !== '') throw new ConfigError(key, 'must not have a fragment');
  return url;
}

const isPositiveInteger = (n: number) => Number.isInteger(n) && n > 0;

export function readConfig(read: ContextReader): DcrConfig {
  const stage = optionalString(read, 'stage') ?? DEFAULTS.stage;
  if (!STAGE_PATTERN.test(stage)) {
    throw new ConfigError('stage', `must match ${STAGE_PATTERN} (lower-case letter first, then up to 20 of a-z 0-9 -), got ${JSON.stringify(stage)}`);
  }

  // API Gateway takes a double for the rate (requests per second) and an integer for the burst.
  const throttlingRateLimit = number(read, 'throttlingRateLimit', DEFAULTS.throttlingRateLimit, (n) => n > 0, 'a positive number');
  const throttlingBurstLimit = number(read, 'throttlingBurstLimit', DEFAULTS.throttlingBurstLimit, isPositiveInteger, 'a positive integer');

  const logRetentionDays = number(
    read,
    'logRetentionDays',
    DEFAULTS.logRetentionDays,
    (n) => VALID_RETENTION_DAYS.has(n),
    `one of ${[...VALID_RETENTION_DAYS].sort((a, b) => a - b).join(', ')} (9999 = never expire)`,
  );

  const settingsTtlSeconds = number(
    read,
    'settingsTtlSeconds',
    DEFAULTS.settingsTtlSeconds,
    (n) => Number.isInteger(n) && n >= 0 && n <= 3600,
    'an integer number of seconds from 0 to 3600',
  );

  const iatIssuer = optionalString(read, 'iatIssuer');
  const iatJwksUri = optionalString(read, 'iatJwksUri');
  httpsUrl('iatJwksUri', iatJwksUri);
  const iatAudience = optionalString(read, 'iatAudience');

  // Kept without a trailing slash so `${publicBaseUrl}/as/clients.oauth2/...` has one separator.
  const publicBase = httpsUrl('publicBaseUrl', optionalString(read, 'publicBaseUrl'));
  if (publicBase !== undefined && publicBase.search !== '') throw new ConfigError('publicBaseUrl', 'must not have a query');
  const publicBaseUrl = publicBase?.href.replace(/\/+$/, '');

  return {
    stage,
    production: PRODUCTION_STAGES.has(stage),
    throttlingRateLimit,
    throttlingBurstLimit,
    logRetention: logRetentionDays as RetentionDays,
    ...(iatIssuer !== undefined && { iatIssuer }),
    ...(iatJwksUri !== undefined && { iatJwksUri }),
    ...(iatAudience !== undefined && { iatAudience }),
    ...(publicBaseUrl !== undefined && { publicBaseUrl }),
    settingsTtlSeconds,
    apiGatewayCloudWatchRole: boolean(read, 'apiGatewayCloudWatchRole', true),
  };
}

/** Reads a config from a plain object of context values (tests, scripts). */
export function configFromContext(context: Readonly<Record<string, unknown>> = {}): DcrConfig {
  return readConfig((key) => context[key]);
}

/** The SSM prefix of a stage's settings, with its trailing slash, as the functions receive it. */
export function ssmPrefix(stage: string): string {
  return `/dcr/${stage}/`;
}
