import { ClientDirectory, type ClientDirectoryOptions } from '../directory/client-directory.js';
import { MetadataDocumentDirectory } from '../directory/metadata-documents.js';
import type { ClientUseRecorder } from '../directory/ports.js';
import type { DocumentFetcher } from '../metadata/document-fetcher.js';
import { createDocumentFetcher } from '../metadata/https-document-fetcher.js';
import { recordClientUse } from '../registration/lifecycle.js';
import { DEFAULT_SETTINGS } from '../settings/catalog.js';
import { type SettingsSource, staticSettings } from '../settings/settings-source.js';
import { DynamoDbAssertionReplayStore } from '../store/dynamodb-assertion-replay-store.js';
import { createDocumentClient, type DocumentClientConfig, DynamoDbClientStore } from '../store/dynamodb-client-store.js';
import type { DynamoDbDocuments } from '../store/dynamodb-documents.js';
import { DynamoDbMetadataDocumentCache } from '../store/dynamodb-metadata-document-cache.js';
import { KmsSecretSealer } from '../store/kms-secret-sealer.js';
import type { SecretSealer } from '../tokens/secret-sealer.js';
import { coreFromEnv, type LocalFetch } from './core.js';

// The client directory for authorization servers (package export "dcr-service/directory"): the
// composition of lib/directory on this service's DynamoDB table, KMS key and SSRF-guarded fetcher.
// Build it once per process or Lambda container; see docs/directory.md.

export type { PresentedCertificate } from '../directory/client-certificate.js';
export { type AuthenticatedClient, ClientDirectory, type ClientDirectoryOptions } from '../directory/client-directory.js';
export type { ClientSource, DirectoryClient } from '../directory/directory-client.js';
export type { AssertionReplayStore, ClientUseRecorder } from '../directory/ports.js';
export type { ClientAuthenticationRequest } from '../directory/request-credentials.js';
export { InvalidClientError, RegistrationError } from '../errors.js';

export interface ClientDirectoryConfig extends ClientDirectoryOptions {
  /** The client table (the stateful stack's output TableName). */
  readonly tableName: string;
  /** DynamoDB client settings (region, endpoint, credentials); the default chain when absent. */
  readonly dynamoDb?: DocumentClientConfig;
  /** A DynamoDB client to share (one connection pool per container); made from `dynamoDb` when absent. */
  readonly documents?: DynamoDbDocuments;
  /** KMS key (id or ARN) of the sealed client_secret_jwt secrets (the stack's output ClientSecretKeyArn). */
  readonly secretKeyId?: string;
  /** Opens sealed secrets instead of KMS (local mode: LocalSecretSealer with DCR_LOCAL_SECRET_KEY). */
  readonly secretSealer?: SecretSealer;
  /** The service's settings (Client Idle Lifetime, Client ID Metadata Documents); the defaults when absent. */
  readonly settings?: SettingsSource;
  /** Records use for idle expiry; absent: the lifecycle's recordClientUse under the settings in force. */
  readonly uses?: ClientUseRecorder;
  /** Reads jwks_uri documents and Client ID Metadata Documents; the production fetcher (public addresses only) when absent. */
  readonly documentFetcher?: DocumentFetcher;
  /**
   * LOCAL DEVELOPMENT ONLY (DCR_LOCAL_FETCH_HOSTS, DCR_LOCAL_FETCH_CA_FILE): loopback hosts the fetcher
   * may reach, and a certificate authority it trusts besides the default ones.
   */
  readonly localFetch?: LocalFetch;
  /** Milliseconds since the epoch; Date.now when absent. */
  readonly now?: () => number;
}

export function createClientDirectory(config: ClientDirectoryConfig): ClientDirectory {
  const now = config.now ?? Date.now;
  const documents = config.documents ?? createDocumentClient(config.dynamoDb);
  const secretSealer = config.secretSealer ?? (config.secretKeyId ? new KmsSecretSealer(config.secretKeyId) : undefined);
  const store = new DynamoDbClientStore(documents, config.tableName, now);
  const settings = config.settings ?? staticSettings(DEFAULT_SETTINGS);
  // idle expiry: a use refreshes the client's expiry, at most once per tenth of Client Idle Lifetime
  const uses: ClientUseRecorder = config.uses ?? {
    recordUse: async (client, nowSeconds) => {
      await recordClientUse(store, await settings.current(), client, nowSeconds * 1000);
    },
  };
  const fetcher = (purpose: string) => config.documentFetcher ?? createDocumentFetcher({ purpose, ...config.localFetch });
  return new ClientDirectory(
    {
      store,
      replays: new DynamoDbAssertionReplayStore(documents, config.tableName, now),
      documents: fetcher('jwks_uri'),
      metadataDocuments: new MetadataDocumentDirectory({
        settings,
        documents: fetcher('client metadata document'),
        cache: new DynamoDbMetadataDocumentCache(documents, config.tableName),
        now,
      }),
      secretSealer,
      uses,
      now,
    },
    config,
  );
}

/**
 * The same from the environment the service's functions use (lib/settings/environment.ts): DCR_TABLE_NAME,
 * DCR_SECRET_KEY_ID (KMS) or DCR_LOCAL_SECRET_KEY (local), DCR_SSM_PREFIX (settings from SSM) or the DCR_* variables.
 */
export function clientDirectoryFromEnv(
  env: NodeJS.ProcessEnv,
  options: ClientDirectoryOptions & Pick<ClientDirectoryConfig, 'dynamoDb' | 'uses' | 'now'>,
): ClientDirectory {
  const { environment, documents, runtime, localFetch } = coreFromEnv(env, { dynamoDb: options.dynamoDb });
  if (!environment.tableName || !documents) throw new Error('the client directory needs DCR_TABLE_NAME (the client table)');
  return createClientDirectory({
    ...options,
    tableName: environment.tableName,
    documents,
    secretSealer: runtime.dependencies.secretSealer,
    settings: runtime.dependencies.settings,
    localFetch,
  });
}
