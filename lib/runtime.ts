import type { SSMClient } from '@aws-sdk/client-ssm';
import type { UseCase } from './http/api-handler.js';
import type { HttpRequest } from './http/types.js';
import { createSectorIdentifierFetcher } from './metadata/https-sector-identifier-fetcher.js';
import { deleteClient } from './registration/delete.js';
import type { RegistrationDependencies } from './registration/dependencies.js';
import { read } from './registration/read.js';
import { register } from './registration/register.js';
import { update } from './registration/update.js';
import type { Settings } from './settings/catalog.js';
import { settingsFromEnv } from './settings/env-settings.js';
import { staticSettings } from './settings/settings-source.js';
import { SsmSecureString } from './settings/ssm-secure-string.js';
import { SsmSettingsSource } from './settings/ssm-settings.js';
import { DynamoDbClientQuota } from './store/dynamodb-client-quota.js';
import { createDocumentClient, type DocumentClientConfig, DynamoDbClientStore } from './store/dynamodb-client-store.js';
import type { DynamoDbDocuments } from './store/dynamodb-documents.js';
import { DynamoDbInitialAccessTokenStore } from './store/dynamodb-initial-access-token-store.js';
import { KmsSecretSealer } from './store/kms-secret-sealer.js';
import { composeInitialAccessTokenVerifiers } from './tokens/composite-verifier.js';
import { type InitialAccessTokenVerifier, JwtInitialAccessTokenVerifier } from './tokens/initial-access-token.js';
import { IntrospectionInitialAccessTokenVerifier } from './tokens/introspection-verifier.js';
import { LocalSecretSealer, type SecretSealer } from './tokens/secret-sealer.js';
import { type SecretSource, staticSecret } from './tokens/secret-source.js';
import { systemRandom } from './tokens/secrets.js';
import { ServiceInitialAccessTokenVerifier } from './tokens/service-token-verifier.js';

// Composition root: the one place that reads the environment and picks the adapters. Built once per
// container (first request), so warm requests construct nothing.

const DEFAULT_SETTINGS_TTL_SECONDS = 15;
const USE_CASES = { register, read, update, delete: deleteClient } as const;
export type UseCaseName = keyof typeof USE_CASES;

export interface Runtime {
  readonly dependencies: RegistrationDependencies;
  /** Base of registration_client_uri when set; otherwise each request's own host and stage. */
  readonly publicBaseUrl?: string;
}

export interface RuntimeOptions {
  /** Settings for DCR_* variables that are not set (local mode turns registration and management on). */
  readonly settingsFallback?: Partial<Settings>;
  /** DynamoDB client settings (local mode: the embedded endpoint and placeholder credentials). */
  readonly dynamoDb?: DocumentClientConfig;
}

/**
 * Environment (set by the stack in AWS, by the local server locally):
 * DCR_TABLE_NAME, DCR_SSM_PREFIX + DCR_SETTINGS_TTL_SECONDS (else settings from DCR_* variables),
 * initial access tokens (see initialAccessTokensFromEnv), DCR_PUBLIC_BASE_URL,
 * DCR_SECRET_KEY_ID (KMS) or DCR_LOCAL_SECRET_KEY (local) for recoverable secrets.
 */
export function runtimeFromEnv(env: NodeJS.ProcessEnv, options: RuntimeOptions = {}): Runtime {
  const tableName = envValue(env, 'DCR_TABLE_NAME');
  const ssmPrefix = envValue(env, 'DCR_SSM_PREFIX');
  // the clients and the cap counters of the registration policies share the table and one client
  const documents = tableName ? createDocumentClient(options.dynamoDb) : undefined;
  return {
    dependencies: {
      store: documents && new DynamoDbClientStore(documents, tableName!),
      quota: documents && new DynamoDbClientQuota(documents, tableName!),
      settings: ssmPrefix
        ? new SsmSettingsSource({ prefix: ssmPrefix, ttlSeconds: settingsTtlSeconds(env.DCR_SETTINGS_TTL_SECONDS) })
        : staticSettings(settingsFromEnv(env, options.settingsFallback)),
      initialAccessTokens: initialAccessTokensFromEnv(env, { dynamoDb: options.dynamoDb, documents }),
      secretSealer: secretSealerFromEnv(env),
      // public addresses only: the test-only allowances of the fetcher are never read from configuration
      sectorIdentifiers: createSectorIdentifierFetcher(),
      now: Date.now,
      random: systemRandom,
    },
    publicBaseUrl: envValue(env, 'DCR_PUBLIC_BASE_URL')?.replace(/\/+$/, '') || undefined,
  };
}

/** A bad TTL must not turn the cache off (every request would call SSM): it falls back to the default. */
function settingsTtlSeconds(raw: string | undefined): number {
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : DEFAULT_SETTINGS_TTL_SECONDS;
}

/** KMS in AWS (DCR_SECRET_KEY_ID); a local AES key in local mode (DCR_LOCAL_SECRET_KEY, base64url). */
function secretSealerFromEnv(env: NodeJS.ProcessEnv): SecretSealer | undefined {
  const keyId = envValue(env, 'DCR_SECRET_KEY_ID');
  if (keyId) return new KmsSecretSealer(keyId);
  const localKey = envValue(env, 'DCR_LOCAL_SECRET_KEY');
  return localKey ? new LocalSecretSealer(Buffer.from(localKey, 'base64url')) : undefined;
}

export interface InitialAccessTokenOptions {
  /** DynamoDB client settings for the token table (local mode: the embedded endpoint). */
  readonly dynamoDb?: DocumentClientConfig;
  /** The container's DynamoDB client, shared with the client table (one connection pool); made from `dynamoDb` when absent. */
  readonly documents?: DynamoDbDocuments;
  /** SSM client for the introspection secret parameter (tests pass a mocked one). */
  readonly ssm?: SSMClient;
}

/**
 * Initial access tokens in any combination of three forms (lib/tokens/composite-verifier.ts routes each):
 * - JWTs of an issuer: DCR_IAT_ISSUER + DCR_IAT_JWKS_URI (+ DCR_IAT_AUDIENCE);
 * - opaque tokens by introspection: DCR_IAT_INTROSPECTION_URL + DCR_IAT_INTROSPECTION_CLIENT_ID + the
 *   client secret, from DCR_IAT_INTROSPECTION_CLIENT_SECRET (local) or the SSM SecureString named by
 *   DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER (AWS); DCR_IAT_INTROSPECTION_CACHE_SECONDS (default 60);
 *   DCR_IAT_ISSUER (alone is enough here) and DCR_IAT_AUDIENCE are checked on its answers;
 * - tokens issued by this service (`npm run admin -- iat create`): DCR_IAT_TABLE_NAME.
 * Undefined when none is configured. A half-configured form is refused here, at load time, never half-used.
 */
export function initialAccessTokensFromEnv(
  env: NodeJS.ProcessEnv,
  options: InitialAccessTokenOptions = {},
): InitialAccessTokenVerifier | undefined {
  const issuer = envValue(env, 'DCR_IAT_ISSUER');
  const jwksUri = envValue(env, 'DCR_IAT_JWKS_URI');
  const audience = envValue(env, 'DCR_IAT_AUDIENCE');
  const introspection = introspectionFromEnv(env, { issuer, audience }, options);
  if (jwksUri && !issuer)
    throw new Error('DCR_IAT_JWKS_URI needs DCR_IAT_ISSUER: set both to verify initial access tokens that are JWTs, or neither');
  if (issuer && !jwksUri && !introspection) {
    throw new Error(
      'DCR_IAT_ISSUER and DCR_IAT_JWKS_URI go together: set both to verify initial access tokens that are JWTs, or neither ' +
        '(DCR_IAT_ISSUER alone only serves to check the issuer of introspection answers, with DCR_IAT_INTROSPECTION_URL)',
    );
  }
  const tableName = envValue(env, 'DCR_IAT_TABLE_NAME');
  return composeInitialAccessTokenVerifiers({
    jwt: issuer && jwksUri ? new JwtInitialAccessTokenVerifier({ issuer, jwksUri, audience }) : undefined,
    introspection,
    service: tableName
      ? new ServiceInitialAccessTokenVerifier(
          new DynamoDbInitialAccessTokenStore(options.documents ?? createDocumentClient(options.dynamoDb), tableName),
        )
      : undefined,
  });
}

const INTROSPECTION_VARIABLES = [
  'DCR_IAT_INTROSPECTION_URL',
  'DCR_IAT_INTROSPECTION_CLIENT_ID',
  'DCR_IAT_INTROSPECTION_CLIENT_SECRET',
  'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER',
  'DCR_IAT_INTROSPECTION_CACHE_SECONDS',
] as const;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function introspectionFromEnv(
  env: NodeJS.ProcessEnv,
  expected: { issuer?: string; audience?: string },
  options: InitialAccessTokenOptions,
): IntrospectionInitialAccessTokenVerifier | undefined {
  if (!INTROSPECTION_VARIABLES.some((name) => envValue(env, name))) return undefined;
  const endpoint = envValue(env, 'DCR_IAT_INTROSPECTION_URL');
  const clientId = envValue(env, 'DCR_IAT_INTROSPECTION_CLIENT_ID');
  const secret = envValue(env, 'DCR_IAT_INTROSPECTION_CLIENT_SECRET');
  const secretParameter = envValue(env, 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER');
  const missing = [
    !endpoint && 'DCR_IAT_INTROSPECTION_URL',
    !clientId && 'DCR_IAT_INTROSPECTION_CLIENT_ID',
    !secret && !secretParameter && 'DCR_IAT_INTROSPECTION_CLIENT_SECRET (or DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER)',
  ].filter(Boolean);
  if (missing.length)
    throw new Error(`token introspection is half configured: set ${missing.join(', ')} as well, or none of DCR_IAT_INTROSPECTION_*`);
  if (secret && secretParameter) {
    throw new Error('set DCR_IAT_INTROSPECTION_CLIENT_SECRET (local) or DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER (SSM), not both');
  }
  let url: URL;
  try {
    url = new URL(endpoint!);
  } catch {
    throw new Error('DCR_IAT_INTROSPECTION_URL must be an absolute https URL');
  }
  // the client secret goes with every call: plain http only to this machine
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new Error('DCR_IAT_INTROSPECTION_URL must be an https URL (http only for 127.0.0.1, [::1] or localhost)');
  }
  const rawCache = envValue(env, 'DCR_IAT_INTROSPECTION_CACHE_SECONDS');
  const cacheSeconds = rawCache === undefined ? undefined : Number(rawCache);
  if (cacheSeconds !== undefined && !(Number.isFinite(cacheSeconds) && cacheSeconds >= 0)) {
    throw new Error(`DCR_IAT_INTROSPECTION_CACHE_SECONDS must be a number of seconds (0 or more), not ${rawCache}`);
  }
  const clientSecret: SecretSource = secret
    ? staticSecret(secret)
    : new SsmSecureString({ name: secretParameter!, label: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER', client: options.ssm });
  return new IntrospectionInitialAccessTokenVerifier({ endpoint: url.href, clientId: clientId!, clientSecret, ...expected, cacheSeconds });
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

let current: Runtime | undefined;

export function getRuntime(): Runtime {
  current ??= runtimeFromEnv(process.env);
  return current;
}

/** Replaces the container's runtime: the local server and the integration tests use this. */
export function setRuntime(runtime: Runtime | undefined): void {
  current = runtime;
}

/** What a Lambda entry hands to apiHandler: the named use case bound to the current runtime. */
export function resolveUseCase(name: UseCaseName): () => { useCase: UseCase; publicBaseUrl?: string } {
  return () => {
    const runtime = getRuntime();
    return {
      useCase: (request: HttpRequest) => USE_CASES[name](runtime.dependencies, request),
      publicBaseUrl: runtime.publicBaseUrl,
    };
  };
}
