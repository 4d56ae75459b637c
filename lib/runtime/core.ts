import { readFileSync } from 'node:fs';
import { setLogLevel } from '../log.js';
import { sectorIdentifierFetcherOnFirstUse } from '../metadata/sector-identifier.js';
import type { RegistrationDependencies } from '../registration/dependencies.js';
import type { Settings } from '../settings/catalog.js';
import { type Environment, readEnvironment } from '../settings/environment.js';
import type { SettingsCheck, SettingsSource } from '../settings/settings-source.js';
import { SsmSettingsSource } from '../settings/ssm-settings.js';
import { createDocumentClient, type DocumentClientConfig, DynamoDbClientStore } from '../store/dynamodb-client-store.js';
import type { DynamoDbDocuments } from '../store/dynamodb-documents.js';
import { systemRandom } from '../tokens/secrets.js';
import { clientQuotaOnFirstUse } from './client-quota.js';
import { secretSealerOf } from './secret-sealer.js';
import { ssmReaderOf } from './ssm-reader-of.js';

// Composition root, shared part: what every route runs on, wired from the environment catalogue once
// per container (first request), so warm requests construct nothing.

const DEFAULT_SETTINGS_TTL_SECONDS = 15;

export interface Runtime {
  readonly dependencies: RegistrationDependencies;
  /** Base of registration_client_uri when set; otherwise each request's own host and stage. */
  readonly publicBaseUrl?: string;
  /** The Stage dimension of the metrics (DCR_STAGE); 'local' when unset. */
  readonly stage?: string;
}

export interface RuntimeOptions {
  /** Settings for DCR_* variables that are not set (local mode turns registration and management on). */
  readonly settingsFallback?: Partial<Settings>;
  /** DynamoDB client settings (local mode: the embedded endpoint and placeholder credentials). */
  readonly dynamoDb?: DocumentClientConfig;
  /** Further checks of the settings read from SSM (the registration policies, where a route applies them). */
  readonly settingsCheck?: SettingsCheck;
}

/** The wiring every route shares, and the parsed environment and DynamoDB client the routes' extras build on. */
export interface Core {
  readonly environment: Environment;
  readonly documents?: DynamoDbDocuments;
  readonly runtime: Runtime;
  /** Local development of fetched documents (DCR_LOCAL_FETCH_*), when set. */
  readonly localFetch?: LocalFetch;
}

/** What the document fetchers may do beyond production's rules, in local mode only. */
export interface LocalFetch {
  readonly allowHosts: readonly string[];
  readonly extraCa?: string;
}

/** Reads the environment catalogue (throwing on any variable that does not parse) and wires the shared ports. */
export function coreFromEnv(env: NodeJS.ProcessEnv, options: RuntimeOptions = {}): Core {
  const environment = readEnvironment(env);
  // unset leaves the logger's own default (info)
  if (environment.logLevel !== undefined) setLogLevel(environment.logLevel);
  const tableName = environment.tableName;
  const localFetch = localFetchOf(environment);
  // the clients and the cap counters of the registration policies share the table and one client
  const documents = tableName ? createDocumentClient(options.dynamoDb) : undefined;
  return {
    environment,
    documents,
    localFetch,
    runtime: {
      dependencies: {
        store: documents && tableName ? new DynamoDbClientStore(documents, tableName) : undefined,
        quota: documents && tableName ? clientQuotaOnFirstUse(documents, tableName) : undefined,
        settings: settingsSourceOf(env, environment, options, documents),
        secretSealer: secretSealerOf(environment),
        // production leaves the sector_identifier_uri fetcher to validation's default (public addresses only)
        sectorIdentifiers: localFetch && sectorIdentifierFetcherOnFirstUse(localFetch),
        now: Date.now,
        random: systemRandom,
      },
      publicBaseUrl: environment.publicBaseUrl,
      stage: environment.stage,
    },
  };
}

/**
 * DCR_LOCAL_FETCH_HOSTS / DCR_LOCAL_FETCH_CA_FILE let a developer serve a sector_identifier_uri, a
 * jwks_uri or a Client ID Metadata Document from 127.0.0.1 with a self-made certificate. They are for
 * local mode only: with DCR_SSM_PREFIX (which the AWS stack always sets) they stop the function from
 * starting, so no deployed function ever fetches from a private address.
 */
function localFetchOf(environment: Environment): LocalFetch | undefined {
  const { localFetchHosts, localFetchCaFile } = environment;
  if (localFetchHosts === undefined && localFetchCaFile === undefined) return undefined;
  if (environment.ssmPrefix !== undefined) {
    throw new Error(
      'DCR_LOCAL_FETCH_HOSTS and DCR_LOCAL_FETCH_CA_FILE are for local development only and are refused outside local mode (DCR_SSM_PREFIX is set)',
    );
  }
  return { allowHosts: localFetchHosts ?? [], extraCa: localFetchCaFile && readFileSync(localFetchCaFile, 'utf8') };
}

/**
 * SSM in AWS (DCR_SSM_PREFIX); else the DCR_* variables of the settings catalogue (local mode). The
 * latter checks the registration policies at load, which needs the policy module: loaded only then,
 * so the functions' bundles carry it only where a route uses it.
 */
function settingsSourceOf(
  env: NodeJS.ProcessEnv,
  environment: Environment,
  options: RuntimeOptions,
  documents: DynamoDbDocuments | undefined,
): SettingsSource {
  if (environment.ssmPrefix !== undefined) {
    return new SsmSettingsSource({
      prefix: environment.ssmPrefix,
      // the AWS stack always sets the table too; without one, a client only for its pieces
      reader: ssmReaderOf(documents ?? createDocumentClient(options.dynamoDb)),
      ttlSeconds: environment.settingsTtlSeconds ?? DEFAULT_SETTINGS_TTL_SECONDS,
      check: options.settingsCheck,
    });
  }
  let loaded: Promise<Settings> | undefined;
  return {
    current: () => {
      loaded ??= import('../settings/env-settings.js').then(({ settingsFromEnv }) => settingsFromEnv(env, options.settingsFallback));
      return loaded;
    },
  };
}
