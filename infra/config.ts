// Reads the CDK context (cdk.json, `-c key=value`, or a test's App context) into one typed, validated
// config. Everything the stacks vary by stage comes from here, so a typo fails synthesis instead of
// deploying something unintended.

import { isIPv4, isIPv6 } from 'node:net';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface DcrConfig {
  /** Stage name: suffix of the stack names, API Gateway stage, and `/dcr/<stage>/` SSM prefix. */
  readonly stage: string;
  /** `prod` / `production`: the table is retained and deletion-protected. */
  readonly production: boolean;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetention: RetentionDays;
  /**
   * Initial access tokens that are JWTs: issuer and JWKS URI together. The issuer (and audience) also
   * check introspection answers, where the issuer may come alone. Tokens issued by this service
   * (`npm run admin -- iat create`) are accepted whatever is set here.
   */
  readonly iatIssuer?: string;
  readonly iatJwksUri?: string;
  readonly iatAudience?: string;
  /** Opaque initial access tokens checked by token introspection (RFC 7662); absent when not configured. */
  readonly iatIntrospection?: IntrospectionConfig;
  /** Absolute base of registration_client_uri; unset means the request's host and stage. */
  readonly publicBaseUrl?: string;
  /** EventBridge bus (name or ARN) of the client lifecycle events; unset means the account's default bus. */
  readonly eventBusName?: string;
  /** How long a function caches the SSM settings. */
  readonly settingsTtlSeconds: number;
  /**
   * Whether the API creates the account-wide API Gateway CloudWatch role, which access logging
   * needs. Turn it off (`-c apiGatewayCloudWatchRole=false`) where the account already has one.
   */
  readonly apiGatewayCloudWatchRole: boolean;
  /**
   * Per-route API Gateway throttling (requests per second, burst). A method setting replaces the
   * stage's limits for its route, so these are never above throttlingRateLimit/throttlingBurstLimit.
   */
  readonly registerRateLimit: number;
  readonly registerBurstLimit: number;
  /** The same for the three management routes (read, update, delete), each on its own. */
  readonly manageRateLimit: number;
  readonly manageBurstLimit: number;
  /** The AWS WAF web ACL in front of the stage; absent when `waf` is off. */
  readonly waf?: WafConfig;
  /**
   * Source ranges (normalized CIDRs) that may call POST on the registration route; empty = anyone.
   * Enforced by the REST API resource policy; the management routes stay open.
   */
  readonly registrationAllowedCidrs: readonly string[];
  /** X-Ray active tracing on the functions and the API stage (`-c tracing=false` turns it off). */
  readonly tracing: boolean;
  /**
   * Linked source maps in the function bundles and `--enable-source-maps`, so logged stack traces name
   * the TypeScript source (`-c sourceMaps=true`). Off by default: it costs 8-10 ms of every cold start.
   */
  readonly sourceMaps: boolean;
  /**
   * A deploy to LocalStack with `cdklocal` (`-c localstack=true`): no WAF, registration and management
   * seeded on, registration_client_uri built for LocalStack's host names, tracing off by default.
   */
  readonly localstack: boolean;
  /** The CloudWatch alarms: thresholds and the optional SNS topic they notify. */
  readonly alarms: AlarmConfig;
}

/** Alarm thresholds (context keys of the same name) and the SNS topic of their actions. */
export interface AlarmConfig {
  /** SNS topic (ARN) notified when an alarm goes into ALARM and back to OK; unset: no action. */
  readonly topicArn?: string;
  /** Share of API requests answered 5xx over 5 minutes, in percent. */
  readonly alarm5xxRatePercent: number;
  /** p99 of the API's latency, in milliseconds, for three 5-minute periods in a row. */
  readonly alarmLatencyP99Ms: number;
  /** Errors of one function (crashes, timeouts) in 5 minutes. */
  readonly alarmLambdaErrors: number;
  /** Throttled invocations of one function in 5 minutes. */
  readonly alarmLambdaThrottles: number;
  /** Throttled DynamoDB requests on the two tables in 5 minutes. */
  readonly alarmDynamoDbThrottles: number;
  /** Failed reads of the SSM settings in 5 minutes (the SettingsReadFailures metric). */
  readonly alarmSettingsReadFailures: number;
  /** Requests WAF blocked in 5 minutes (only with `waf=true`). */
  readonly alarmWafBlockedRequests: number;
}

/** The alarm threshold keys: each is a CDK context key and an AlarmConfig field. */
export const ALARM_THRESHOLD_KEYS = [
  'alarm5xxRatePercent',
  'alarmLatencyP99Ms',
  'alarmLambdaErrors',
  'alarmLambdaThrottles',
  'alarmDynamoDbThrottles',
  'alarmSettingsReadFailures',
  'alarmWafBlockedRequests',
] as const;

export interface IntrospectionConfig {
  /** The authorization server's introspection endpoint (https). */
  readonly url: string;
  /** This service's client id at the authorization server. */
  readonly clientId: string;
  /**
   * Name of the SSM SecureString holding the client secret. The operator creates it: CloudFormation
   * cannot create SecureStrings, and the secret must never sit in context, template or environment.
   */
  readonly clientSecretParameter: string;
  /** How long a positive answer is reused; unset leaves the functions' own default (60 s). */
  readonly cacheSeconds?: number;
}

/** Which requests the WAF rate-based rule counts per source IP. */
export type WafRateLimitScope = 'registration' | 'all';

export interface WafConfig {
  /** Requests per source IP per window before WAF blocks (429) that IP. */
  readonly rateLimit: number;
  readonly rateWindowSeconds: (typeof WAF_RATE_WINDOWS)[number];
  readonly rateLimitScope: WafRateLimitScope;
  /** The 64 KiB body rule (raises the body inspection limit to 64 KB, a priced WAF option). */
  readonly bodySizeRule: boolean;
  /**
   * Whether WAF keeps sampled requests. They hold full request headers, Authorization included
   * (initial access tokens, registration access tokens), readable in the console for three hours.
   */
  readonly sampledRequests: boolean;
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
  // prod keeps a year of function logs: they hold the audit lines of every change of a client
  productionLogRetentionDays: 365,
  tracing: true,
  sourceMaps: false,
  localstack: false,
  alarm5xxRatePercent: 5,
  alarmLatencyP99Ms: 2000,
  alarmLambdaErrors: 1,
  alarmLambdaThrottles: 1,
  alarmDynamoDbThrottles: 1,
  alarmSettingsReadFailures: 1,
  // the per-IP rate rule alone blocks a source after 100 requests in 5 minutes: a few hundred blocked
  // requests is a flood or a scan, not one misbehaving client
  alarmWafBlockedRequests: 500,
  settingsTtlSeconds: 15,
  // Registration is the route that creates state: far below the stage, ample for real clients.
  registerRateLimit: 10,
  registerBurstLimit: 20,
  // The management routes need a registration access token: abuse there is load, not new clients.
  manageRateLimit: 25,
  manageBurstLimit: 50,
  waf: false,
  // Per source IP, per 5 minutes, on registration POSTs: no legitimate source registers 100 clients in
  // five minutes, while offices and CI behind one NAT address stay well under it; 100 is also the
  // lowest limit WAF accepts in every region (10 only in some).
  wafRateLimit: 100,
  wafRateWindowSeconds: 300,
  wafRateLimitScope: 'registration',
  wafBodySizeRule: true,
  wafSampledRequests: false,
} as const;

/** The evaluation windows a WAF rate-based rule accepts, in seconds. */
export const WAF_RATE_WINDOWS = [60, 120, 300, 600] as const;
const WAF_RATE_SCOPES: readonly WafRateLimitScope[] = ['registration', 'all'];
/** WAF rate-based rule limits (some regions still refuse below 100). */
const WAF_RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;
/** The context keys of token introspection that only work together. */
const INTROSPECTION_KEYS = ['iatIntrospectionUrl', 'iatIntrospectionClientId', 'iatIntrospectionClientSecretParameter'] as const;
/** A fully qualified SSM parameter name: `/` then up to 15 levels of letters, digits, `_ . -`. */
const SSM_PARAMETER_NAME = /^(\/[A-Za-z0-9_.-]+){1,15}$/;
/** Keeps the resource policy well inside API Gateway's 8 KB policy size limit. */
export const MAX_ALLOWED_CIDRS = 100;

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`CDK context "${key}": ${message}`);
    this.name = 'ConfigError';
  }
}

// RetentionDays is a numeric enum; its values are exactly what CloudWatch Logs accepts.
const VALID_RETENTION_DAYS = new Set<number>(Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'));

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

function oneOf<T extends string>(read: ContextReader, key: string, allowed: readonly T[], fallback: T): T {
  const value = read(key);
  if (isUnset(value)) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value.trim())) return value.trim() as T;
  throw new ConfigError(key, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/**
 * A per-route limit: defaults to the smaller of its own default and the stage limit (an operator who
 * lowers the stage lowers every route), and an explicit value above the stage limit is refused.
 */
function routeLimit(
  read: ContextReader,
  key: string,
  fallback: number,
  stage: { readonly key: string; readonly value: number },
  check: (n: number) => boolean,
  rule: string,
): number {
  const limit = number(read, key, Math.min(fallback, stage.value), check, rule);
  if (limit > stage.value) {
    throw new ConfigError(
      key,
      `${limit} is above ${stage.key} (${stage.value}): a route's method setting replaces the stage limit, so it would raise that route's limit instead of lowering it`,
    );
  }
  return limit;
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

function readIntrospection(read: ContextReader): IntrospectionConfig | undefined {
  // the secret itself would land in cdk.context.json, the cloud assembly and the function environment
  if (!isUnset(read('iatIntrospectionClientSecret'))) {
    throw new ConfigError(
      'iatIntrospectionClientSecret',
      'secrets do not belong in CDK context: store the secret as an SSM SecureString and name it in iatIntrospectionClientSecretParameter',
    );
  }
  const url = httpsUrl('iatIntrospectionUrl', optionalString(read, 'iatIntrospectionUrl'));
  // the client secret goes with every call: it must not travel next to credentials in the URL
  if (url !== undefined && (url.username !== '' || url.password !== '')) {
    throw new ConfigError(
      'iatIntrospectionUrl',
      'must not contain credentials: the client secret comes from iatIntrospectionClientSecretParameter',
    );
  }
  const clientId = optionalString(read, 'iatIntrospectionClientId');
  const clientSecretParameter = optionalString(read, 'iatIntrospectionClientSecretParameter');
  if (clientSecretParameter !== undefined) checkSecureStringName('iatIntrospectionClientSecretParameter', clientSecretParameter);
  // no default here: unset leaves the functions' own (lib/tokens/introspection-verifier.ts)
  const cacheSeconds = isUnset(read('iatIntrospectionCacheSeconds'))
    ? undefined
    : number(
        read,
        'iatIntrospectionCacheSeconds',
        0,
        (n) => Number.isInteger(n) && n >= 0 && n <= 3600,
        'an integer number of seconds from 0 to 3600',
      );
  const values = {
    iatIntrospectionUrl: url,
    iatIntrospectionClientId: clientId,
    iatIntrospectionClientSecretParameter: clientSecretParameter,
  };
  const missing = INTROSPECTION_KEYS.filter((key) => values[key] === undefined);
  if (missing.length === INTROSPECTION_KEYS.length && cacheSeconds === undefined) return undefined;
  if (missing.length > 0) {
    // the functions refuse a half-configured introspection at start: every request would fail
    throw new ConfigError(
      missing[0]!,
      `token introspection needs ${INTROSPECTION_KEYS.join(', ')} together: set ${missing.join(', ')} as well, or none of the iatIntrospection* keys`,
    );
  }
  return {
    url: url!.href,
    clientId: clientId!,
    clientSecretParameter: clientSecretParameter!,
    ...(cacheSeconds !== undefined && { cacheSeconds }),
  };
}

function checkSecureStringName(key: string, name: string): void {
  if (!SSM_PARAMETER_NAME.test(name)) {
    throw new ConfigError(
      key,
      `expected the full name of an SSM parameter (e.g. /dcr/prod/iat-introspection-client-secret: a leading /, then at most 15 levels of letters, digits, _ . -), got ${JSON.stringify(name)}`,
    );
  }
  // AWS reserves these prefixes; /aws/reference/secretsmanager/... would need Secrets Manager permissions, not SSM ones
  if (/^\/(aws|ssm)(\/|$)/i.test(name))
    throw new ConfigError(key, `${JSON.stringify(name)} is under a prefix AWS reserves (/aws, /ssm): choose your own`);
}

/**
 * The functions refuse to start with a JWKS URI but no issuer, or an issuer that neither verifies JWTs
 * (no JWKS URI) nor checks introspection answers: refuse it here, before every request would fail.
 */
function checkJwtKeys(iatIssuer: string | undefined, iatJwksUri: string | undefined, introspection: IntrospectionConfig | undefined): void {
  if (iatJwksUri !== undefined && iatIssuer === undefined) {
    throw new ConfigError('iatIssuer', 'is needed with iatJwksUri: set both to accept initial access tokens that are JWTs, or neither');
  }
  if (iatIssuer !== undefined && iatJwksUri === undefined && introspection === undefined) {
    throw new ConfigError(
      'iatJwksUri',
      'is needed with iatIssuer: set both to accept initial access tokens that are JWTs (iatIssuer alone only checks the issuer of introspection answers, with the iatIntrospection* keys)',
    );
  }
}

/**
 * A list of CIDRs from `-c key=a,b` (commas and/or spaces), `-c key='["a","b"]'`, or an array in
 * cdk.json. Each is validated and normalized (a bare address gets /32 or /128); duplicates collapse.
 */
function cidrList(read: ContextReader, key: string): string[] {
  const value = read(key);
  if (isUnset(value)) return [];
  let entries: unknown[];
  if (Array.isArray(value)) {
    entries = value;
  } else if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      entries = JSON.parse(value) as unknown[];
    } catch {
      throw new ConfigError(key, `expected a JSON array of CIDRs, got ${JSON.stringify(value)}`);
    }
    if (!Array.isArray(entries)) throw new ConfigError(key, `expected a JSON array of CIDRs, got ${JSON.stringify(value)}`);
  } else if (typeof value === 'string') {
    entries = value.split(/[\s,]+/).filter((entry) => entry !== '');
  } else {
    throw new ConfigError(key, `expected comma-separated CIDRs or a JSON array of them, got ${JSON.stringify(value)}`);
  }
  // An explicit empty list would read as "nobody may register"; say what it takes to leave it open.
  if (entries.length === 0) throw new ConfigError(key, 'is an empty list: leave the key unset to keep registration open to every address');
  const cidrs = [...new Set(entries.map((entry) => normalizeCidr(key, entry)))];
  if (cidrs.length > MAX_ALLOWED_CIDRS) {
    throw new ConfigError(key, `has ${cidrs.length} ranges, at most ${MAX_ALLOWED_CIDRS} fit the API's resource policy: merge ranges`);
  }
  return cidrs;
}

function normalizeCidr(key: string, entry: unknown): string {
  if (typeof entry !== 'string') throw new ConfigError(key, `expected a CIDR string, got ${JSON.stringify(entry)}`);
  const text = entry.trim();
  const [address = '', prefixText, ...rest] = text.split('/');
  const v4 = isIPv4(address);
  // isIPv6 accepts a zone index (fe80::1%eth0), which a policy condition cannot hold
  const v6 = !v4 && isIPv6(address) && !address.includes('%');
  const bits = v4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if ((!v4 && !v6) || rest.length > 0 || !(prefix >= 0 && prefix <= bits)) {
    throw new ConfigError(key, `${JSON.stringify(entry)} is not an IPv4 or IPv6 address or CIDR (e.g. 203.0.113.0/24, 2001:db8::/32)`);
  }
  const value = v4 ? ipv4Value(address) : ipv6Value(address);
  const hostBits = BigInt(bits - prefix);
  const network = (value >> hostBits) << hostBits;
  if (network !== value) {
    // 203.0.113.7/24 is almost always a typo for the network or for a single address
    throw new ConfigError(
      key,
      `${JSON.stringify(entry)} has host bits set: write the network (${formatAddress(network, v4)}/${prefix}) or the single address (${address}/${bits})`,
    );
  }
  return `${address.toLowerCase()}/${prefix}`;
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(address: string): bigint {
  // an embedded IPv4 tail (::ffff:192.0.2.1) is two groups
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  const text = isIPv4(tail)
    ? `${address.slice(0, lastColon + 1)}${(ipv4Value(tail) >> 16n).toString(16)}:${(ipv4Value(tail) & 0xffffn).toString(16)}`
    : address;
  const [head = '', rest] = text.split('::');
  const groups = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = groups(rest);
  const all = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function formatAddress(value: bigint, v4: boolean): string {
  if (v4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  // full form is unambiguous; the message only needs to be copyable
  return [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((value >> shift) & 0xffffn).toString(16)).join(':');
}

function readWaf(read: ContextReader): WafConfig | undefined {
  // read (and so validate) every WAF key even when the ACL is off: a typo fails now, not on the day it is turned on
  const enabled = boolean(read, 'waf', DEFAULTS.waf);
  const waf: WafConfig = {
    rateLimit: number(
      read,
      'wafRateLimit',
      DEFAULTS.wafRateLimit,
      (n) => Number.isInteger(n) && n >= WAF_RATE_LIMIT_RANGE.min && n <= WAF_RATE_LIMIT_RANGE.max,
      `an integer from ${WAF_RATE_LIMIT_RANGE.min} to ${WAF_RATE_LIMIT_RANGE.max} (requests per source IP per window)`,
    ),
    rateWindowSeconds: number(
      read,
      'wafRateWindowSeconds',
      DEFAULTS.wafRateWindowSeconds,
      (n) => (WAF_RATE_WINDOWS as readonly number[]).includes(n),
      `one of ${WAF_RATE_WINDOWS.join(', ')} (seconds)`,
    ) as WafConfig['rateWindowSeconds'],
    rateLimitScope: oneOf(read, 'wafRateLimitScope', WAF_RATE_SCOPES, DEFAULTS.wafRateLimitScope),
    bodySizeRule: boolean(read, 'wafBodySizeRule', DEFAULTS.wafBodySizeRule),
    sampledRequests: boolean(read, 'wafSampledRequests', DEFAULTS.wafSampledRequests),
  };
  return enabled ? waf : undefined;
}

export function readConfig(read: ContextReader): DcrConfig {
  const stage = optionalString(read, 'stage') ?? DEFAULTS.stage;
  if (!STAGE_PATTERN.test(stage)) {
    throw new ConfigError(
      'stage',
      `must match ${STAGE_PATTERN} (lower-case letter first, then up to 20 of a-z 0-9 -), got ${JSON.stringify(stage)}`,
    );
  }

  // API Gateway takes a double for the rate (requests per second) and an integer for the burst.
  const throttlingRateLimit = number(read, 'throttlingRateLimit', DEFAULTS.throttlingRateLimit, (n) => n > 0, 'a positive number');
  const throttlingBurstLimit = number(read, 'throttlingBurstLimit', DEFAULTS.throttlingBurstLimit, isPositiveInteger, 'a positive integer');

  const production = PRODUCTION_STAGES.has(stage);
  const logRetentionDays = number(
    read,
    'logRetentionDays',
    production ? DEFAULTS.productionLogRetentionDays : DEFAULTS.logRetentionDays,
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
  const iatIntrospection = readIntrospection(read);
  checkJwtKeys(iatIssuer, iatJwksUri, iatIntrospection);

  const localstack = boolean(read, 'localstack', DEFAULTS.localstack);
  // Kept without a trailing slash so `${publicBaseUrl}/as/clients.oauth2/...` has one separator.
  // LocalStack serves plain http, so there (only) an http base is accepted.
  const publicBase = baseUrl('publicBaseUrl', optionalString(read, 'publicBaseUrl'), localstack);
  if (publicBase !== undefined && publicBase.search !== '') throw new ConfigError('publicBaseUrl', 'must not have a query');
  const publicBaseUrl = publicBase?.href.replace(/\/+$/, '');
  const eventBusName = optionalString(read, 'eventBusName');
  if (eventBusName !== undefined && !/^(arn:[\w-]+:events:[\w-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/.test(eventBusName)) {
    throw new ConfigError('eventBusName', 'must be an EventBridge bus name or ARN');
  }

  const stageRate = { key: 'throttlingRateLimit', value: throttlingRateLimit };
  const stageBurst = { key: 'throttlingBurstLimit', value: throttlingBurstLimit };
  const positive = (n: number) => n > 0;
  const waf = readWaf(read);
  if (localstack && waf !== undefined) {
    throw new ConfigError('waf', 'LocalStack has no AWS WAF: leave waf off with localstack=true');
  }

  return {
    stage,
    production,
    throttlingRateLimit,
    throttlingBurstLimit,
    logRetention: logRetentionDays as RetentionDays,
    ...(iatIssuer !== undefined && { iatIssuer }),
    ...(iatJwksUri !== undefined && { iatJwksUri }),
    ...(iatAudience !== undefined && { iatAudience }),
    ...(iatIntrospection !== undefined && { iatIntrospection }),
    ...(publicBaseUrl !== undefined && { publicBaseUrl }),
    ...(eventBusName !== undefined && { eventBusName }),
    settingsTtlSeconds,
    apiGatewayCloudWatchRole: boolean(read, 'apiGatewayCloudWatchRole', true),
    registerRateLimit: routeLimit(read, 'registerRateLimit', DEFAULTS.registerRateLimit, stageRate, positive, 'a positive number'),
    registerBurstLimit: routeLimit(
      read,
      'registerBurstLimit',
      DEFAULTS.registerBurstLimit,
      stageBurst,
      isPositiveInteger,
      'a positive integer',
    ),
    manageRateLimit: routeLimit(read, 'manageRateLimit', DEFAULTS.manageRateLimit, stageRate, positive, 'a positive number'),
    manageBurstLimit: routeLimit(read, 'manageBurstLimit', DEFAULTS.manageBurstLimit, stageBurst, isPositiveInteger, 'a positive integer'),
    ...(waf !== undefined && { waf }),
    registrationAllowedCidrs: cidrList(read, 'registrationAllowedCidrs'),
    // X-Ray is not part of LocalStack's free edition
    tracing: boolean(read, 'tracing', localstack ? false : DEFAULTS.tracing),
    sourceMaps: boolean(read, 'sourceMaps', DEFAULTS.sourceMaps),
    localstack,
    alarms: readAlarms(read),
  };
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

function readAlarms(read: ContextReader): AlarmConfig {
  const topicArn = optionalString(read, 'alarmTopicArn');
  if (topicArn !== undefined && !SNS_TOPIC_ARN.test(topicArn)) {
    throw new ConfigError(
      'alarmTopicArn',
      `expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got ${JSON.stringify(topicArn)}`,
    );
  }
  const thresholds = Object.fromEntries(
    ALARM_THRESHOLD_KEYS.map((key) => [key, number(read, key, DEFAULTS[key], (n) => n > 0, 'a positive number')]),
  ) as Record<(typeof ALARM_THRESHOLD_KEYS)[number], number>;
  if (thresholds.alarm5xxRatePercent > 100) {
    throw new ConfigError('alarm5xxRatePercent', `is a percentage: at most 100, got ${thresholds.alarm5xxRatePercent}`);
  }
  return { ...(topicArn !== undefined && { topicArn }), ...thresholds };
}

/** An https URL, or with `allowHttp` (LocalStack) an http one too. */
function baseUrl(key: string, value: string | undefined, allowHttp: boolean): URL | undefined {
  if (value === undefined || !(allowHttp && /^http:/i.test(value))) return httpsUrl(key, value);
  // the same checks as for an https URL, on the same URL with the other scheme
  httpsUrl(key, `https:${value.slice('http:'.length)}`);
  return new URL(value);
}

/** Reads a config from a plain object of context values (tests, scripts). */
export function configFromContext(context: Readonly<Record<string, unknown>> = {}): DcrConfig {
  return readConfig((key) => context[key]);
}

/** The SSM prefix of a stage's settings, with its trailing slash, as the functions receive it. */
export function ssmPrefix(stage: string): string {
  return `/dcr/${stage}/`;
}
