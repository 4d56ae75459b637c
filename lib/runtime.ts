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
import { SsmSettingsSource } from './settings/ssm-settings.js';
import { createDocumentClient, DynamoDbClientStore, type DocumentClientConfig } from './store/dynamodb-client-store.js';
import { KmsSecretSealer } from './store/kms-secret-sealer.js';
import { JwtInitialAccessTokenVerifier } from './tokens/initial-access-token.js';
import { LocalSecretSealer, type SecretSealer } from './tokens/secret-sealer.js';
import { systemRandom } from './tokens/secrets.js';

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
 * DCR_IAT_ISSUER + DCR_IAT_JWKS_URI (+ DCR_IAT_AUDIENCE), DCR_PUBLIC_BASE_URL,
 * DCR_SECRET_KEY_ID (KMS) or DCR_LOCAL_SECRET_KEY (local) for recoverable secrets.
 */
export function runtimeFromEnv(env: NodeJS.ProcessEnv, options: RuntimeOptions = {}): Runtime {
  const tableName = env.DCR_TABLE_NAME?.trim();
  const ssmPrefix = env.DCR_SSM_PREFIX?.trim();
  const issuer = env.DCR_IAT_ISSUER?.trim();
  const jwksUri = env.DCR_IAT_JWKS_URI?.trim();
  if (Boolean(issuer) !== Boolean(jwksUri)) {
    throw new Error('DCR_IAT_ISSUER and DCR_IAT_JWKS_URI go together: set both to verify initial access tokens, or neither');
  }
  return {
    dependencies: {
      store: tableName ? new DynamoDbClientStore(createDocumentClient(options.dynamoDb), tableName) : undefined,
      settings: ssmPrefix
        ? new SsmSettingsSource({ prefix: ssmPrefix, ttlSeconds: settingsTtlSeconds(env.DCR_SETTINGS_TTL_SECONDS) })
        : staticSettings(settingsFromEnv(env, options.settingsFallback)),
      initialAccessTokens:
        issuer && jwksUri ? new JwtInitialAccessTokenVerifier({ issuer, jwksUri, audience: env.DCR_IAT_AUDIENCE?.trim() || undefined }) : undefined,
      secretSealer: secretSealerFromEnv(env),
      // public addresses only: the test-only allowances of the fetcher are never read from configuration
      sectorIdentifiers: createSectorIdentifierFetcher(),
      now: Date.now,
      random: systemRandom,
    },
    publicBaseUrl: env.DCR_PUBLIC_BASE_URL?.trim().replace(/\/+$/, '') || undefined,
  };
}

/** A bad TTL must not turn the cache off (every request would call SSM): it falls back to the default. */
function settingsTtlSeconds(raw: string | undefined): number {
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : DEFAULT_SETTINGS_TTL_SECONDS;
}

/** KMS in AWS (DCR_SECRET_KEY_ID); a local AES key in local mode (DCR_LOCAL_SECRET_KEY, base64url). */
function secretSealerFromEnv(env: NodeJS.ProcessEnv): SecretSealer | undefined {
  const keyId = env.DCR_SECRET_KEY_ID?.trim();
  if (keyId) return new KmsSecretSealer(keyId);
  const localKey = env.DCR_LOCAL_SECRET_KEY?.trim();
  return localKey ? new LocalSecretSealer(Buffer.from(localKey, 'base64url')) : undefined;
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
