import { RegistrationError } from '../errors.js';
import { log } from '../log.js';
import type { ClientMetadata } from '../metadata/client-metadata.js';
import { secretStateOf } from '../metadata/client-secret.js';
import { DocumentFetchError, type DocumentFetcher, maxAgeSeconds } from '../metadata/document-fetcher.js';
import { validateMetadata } from '../metadata/validate.js';
import { HostList } from '../policies/hosts.js';
import { applyPolicies, policiesInForce, withSoftwareStatement } from '../policies/pipeline.js';
import { ANONYMOUS_LIST } from '../policies/policy.js';
import type { Settings } from '../settings/catalog.js';
import type { SettingsSource } from '../settings/settings-source.js';
import { ExpiringCache } from '../tokens/expiring-cache.js';
import type { MetadataDocumentClients } from './client-directory.js';
import type { DirectoryClient } from './directory-client.js';

// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP authorization
// 2025-11): a client_id that is an https URL names a JSON document holding the client's metadata.

/** A validated document as the table keeps it; times in seconds since the epoch. */
export interface CachedMetadataDocument {
  readonly metadata: ClientMetadata;
  readonly fetchedAt: number;
  /** Served without a refetch until then (the document's max-age, capped). */
  readonly freshUntil: number;
  /** Served when a refetch fails, until then; never after. */
  readonly staleUntil: number;
}

/** Where validated documents are kept between containers (the client table: lib/store). One request per call. */
export interface MetadataDocumentCache {
  get(url: string): Promise<CachedMetadataDocument | undefined>;
  put(url: string, document: CachedMetadataDocument): Promise<void>;
}

/** Without Cache-Control max-age, a document is reused this long. */
export const DEFAULT_DOCUMENT_MAX_AGE_SECONDS = 300;
/** However long the document allows, it is fetched again after a day. */
export const MAX_DOCUMENT_MAX_AGE_SECONDS = 86_400;
/** How long the last good copy is served while refetches fail (the host is down or refuses us). */
export const STALE_DOCUMENT_GRACE_SECONDS = 3_600;
/** The longest client_id URL accepted (it is a DynamoDB key, with a prefix). */
export const MAX_DOCUMENT_URL_LENGTH = 2_000;

/** Methods that need a shared secret: a client identified by a public document cannot hold one. */
const SHARED_SECRET_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

export interface MetadataDocumentDependencies {
  readonly settings: SettingsSource;
  /** The SSRF-guarded fetcher (public addresses only, pinned connection, no redirects, size cap, deadline). */
  readonly documents: DocumentFetcher;
  readonly cache: MetadataDocumentCache;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * The clients of Client ID Metadata Documents: with the setting on and the host allowed, the document
 * is fetched, must name itself (client_id equal to its URL), must not use a shared secret, and is
 * validated with the same metadata validation and the same registration policies (the `anonymous`
 * list) as a registration. A valid document is cached in memory and in the table for its max-age
 * (capped); when a refetch fails the last good copy is served for a bounded time; a failure is
 * never cached.
 */
export class MetadataDocumentDirectory implements MetadataDocumentClients {
  private readonly memory = new ExpiringCache<CachedMetadataDocument>(1_000);
  private hostLists?: { readonly hosts: readonly string[]; readonly list: HostList };

  constructor(private readonly deps: MetadataDocumentDependencies) {}

  handles(clientId: string): boolean {
    return clientId.startsWith('https://');
  }

  async find(url: string): Promise<DirectoryClient | undefined> {
    const settings = await this.deps.settings.current();
    if (!settings.clientIdMetadataDocumentsEnabled) return undefined;
    const problem = urlProblem(url) ?? this.hostProblem(url, settings);
    if (problem) return refused(url, problem);

    const nowMs = this.deps.now();
    const now = Math.floor(nowMs / 1000);
    const remembered = this.memory.get(url, nowMs);
    if (remembered) return client(url, remembered);
    const cached = await this.deps.cache.get(url);
    if (cached && now < cached.freshUntil) return this.remember(url, cached);

    let fetched: Awaited<ReturnType<DocumentFetcher['fetch']>>;
    try {
      fetched = await this.deps.documents.fetch(url);
    } catch (error) {
      if (!(error instanceof DocumentFetchError)) throw error;
      if (cached && now < cached.staleUntil) {
        log('warn', 'a client metadata document could not be refetched; its last good copy is served', {
          clientId: url,
          reason: error.reason,
        });
        return client(url, cached);
      }
      return refused(url, `it could not be fetched: ${error.reason}`);
    }
    let metadata: ClientMetadata;
    try {
      metadata = await documentMetadata(url, fetched.body, settings, this.deps.documents);
    } catch (error) {
      if (error instanceof RegistrationError && error.status === 400) return refused(url, error.description);
      throw error;
    }
    const maxAge = Math.min(maxAgeSeconds(fetched.cacheControl) ?? DEFAULT_DOCUMENT_MAX_AGE_SECONDS, MAX_DOCUMENT_MAX_AGE_SECONDS);
    const document: CachedMetadataDocument = {
      metadata,
      fetchedAt: now,
      freshUntil: now + maxAge,
      staleUntil: now + maxAge + STALE_DOCUMENT_GRACE_SECONDS,
    };
    // no-store / max-age=0: used for this request only
    if (maxAge > 0) {
      await this.deps.cache.put(url, document);
      this.remember(url, document);
    }
    return client(url, document);
  }

  private remember(url: string, document: CachedMetadataDocument): DirectoryClient {
    this.memory.set(url, document, document.freshUntil * 1000, this.deps.now());
    return client(url, document);
  }

  private hostProblem(url: string, settings: Settings): string | undefined {
    const hosts = settings.clientIdMetadataDocumentHosts;
    if (hosts.length === 0) return undefined;
    if (this.hostLists?.hosts !== hosts) this.hostLists = { hosts, list: new HostList(hosts) };
    const hostname = new URL(url).hostname;
    return this.hostLists.list.has(hostname) ? undefined : `the host ${hostname} is not among the allowed document hosts`;
  }
}

/** The draft's rules for the URL: https, a path, no fragment, no credentials, no dot segments, canonical. */
function urlProblem(url: string): string | undefined {
  if (url.length > MAX_DOCUMENT_URL_LENGTH) return `it is longer than ${MAX_DOCUMENT_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'it is not a URL';
  }
  if (parsed.protocol !== 'https:') return 'it is not an https URL';
  if (parsed.hash || url.includes('#')) return 'it has a fragment';
  if (parsed.username || parsed.password) return 'it carries credentials';
  if (parsed.pathname === '/' || parsed.pathname === '') return 'it has no path';
  if (/\/\.\.?(\/|$)/.test(url.slice(parsed.origin.length))) return 'it has a dot segment';
  // compared as a string with the document's client_id: only the canonical spelling is accepted
  if (parsed.href !== url) return 'it is not in canonical form';
  return undefined;
}

async function documentMetadata(url: string, body: unknown, settings: Settings, documents: DocumentFetcher): Promise<ClientMetadata> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the document is not a JSON object');
  const { client_id: clientId, ...members } = body as Record<string, unknown>;
  if (clientId !== url) throw invalid('its client_id is not the URL it was fetched from');
  if ('client_secret' in members || 'client_secret_expires_at' in members)
    throw invalid('it holds a client_secret; a metadata document client has none');
  // RFC 7591's default (client_secret_basic) needs a secret this client cannot have: no method means none
  const method = members.token_endpoint_auth_method ?? 'none';
  if (typeof method === 'string' && SHARED_SECRET_METHODS.has(method))
    throw invalid(`token_endpoint_auth_method ${method} needs a shared secret`);
  members.token_endpoint_auth_method = method;

  const { body: adjusted, softwareStatement } = await applyPolicies(
    await policiesInForce(settings.registrationPolicies),
    [ANONYMOUS_LIST],
    members,
  );
  const metadata = withSoftwareStatement(
    await validateMetadata(adjusted, {
      extendedProperties: settings.extendedProperties,
      allowNonPublicServerUris: settings.allowNonPublicServerUris,
      sectorIdentifiers: { fetch: async (uri) => (await documents.fetch(uri)).body },
    }),
    softwareStatement,
  );
  if (secretStateOf(metadata).hasSecret) throw invalid('it registers an algorithm keyed by a client secret, which it cannot have');
  return metadata;
}

function invalid(description: string): RegistrationError {
  return new RegistrationError(400, 'invalid_client_metadata', description);
}

function client(url: string, document: CachedMetadataDocument): DirectoryClient {
  return { clientId: url, source: 'metadata-document', metadata: document.metadata, issuedAt: document.fetchedAt };
}

/** Not a client: logged with the reason (the URL is the client_id, never a secret), and nothing cached. */
function refused(url: string, reason: string): undefined {
  log('warn', 'a client metadata document was refused', { clientId: url.slice(0, 200), reason });
  return undefined;
}
