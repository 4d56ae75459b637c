import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { InvalidClientError } from '../errors.js';
import { DocumentFetchError, type DocumentFetcher } from '../metadata/document-fetcher.js';
import { ExpiringCache } from '../tokens/expiring-cache.js';
import type { DirectoryClient } from './directory-client.js';

/** A fetched jwks_uri is reused this long (milliseconds) before it is fetched again. */
export const JWKS_URI_CACHE_MS = 5 * 60_000;
/** An unknown `kid` refetches the jwks_uri (the client rotated its keys), at most this often per URI. */
export const JWKS_URI_REFETCH_COOLDOWN_MS = 30_000;
const MAX_CACHED_KEY_SETS = 1_000;

interface FetchedKeySet {
  readonly keys: JWTVerifyGetKey;
  readonly jwks: JSONWebKeySet;
  readonly fetchedAt: number;
}

/**
 * The public keys of a client: its registered `jwks`, or its `jwks_uri`, fetched through the
 * SSRF-guarded document fetcher and cached per container. A signature by a key the cached set does
 * not hold refetches once (the client rotated its keys), no more often than the cool-down, so a
 * stream of bad assertions cannot make the server hammer the client's host.
 */
export class ClientKeys {
  private readonly remote = new ExpiringCache<FetchedKeySet>(MAX_CACHED_KEY_SETS);

  constructor(
    private readonly documents: DocumentFetcher,
    private readonly now: () => number,
  ) {}

  /** A jose key resolver for the client's signatures. */
  resolver(client: DirectoryClient): JWTVerifyGetKey {
    const jwks = client.metadata.jwks as JSONWebKeySet | undefined;
    if (jwks !== undefined) return createLocalJWKSet(jwks);
    const uri = client.metadata.jwks_uri as string | undefined;
    if (uri === undefined) throw new InvalidClientError('the client has registered no keys (jwks or jwks_uri)');
    return async (header, token) => {
      const cached = await this.keySet(uri, false);
      try {
        return await cached.keys(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || this.now() - cached.fetchedAt < JWKS_URI_REFETCH_COOLDOWN_MS) throw error;
        return (await this.keySet(uri, true)).keys(header, token);
      }
    };
  }

  /** The client's key set as JSON (self_signed_tls_client_auth compares certificates with it). */
  async jwks(client: DirectoryClient): Promise<JSONWebKeySet> {
    const jwks = client.metadata.jwks as JSONWebKeySet | undefined;
    if (jwks !== undefined) return jwks;
    const uri = client.metadata.jwks_uri as string | undefined;
    if (uri === undefined) throw new InvalidClientError('the client has registered no keys (jwks or jwks_uri)');
    return (await this.keySet(uri, false)).jwks;
  }

  private async keySet(uri: string, refresh: boolean): Promise<FetchedKeySet> {
    const now = this.now();
    const cached = refresh ? undefined : this.remote.get(uri, now);
    if (cached) return cached;
    let body: unknown;
    try {
      ({ body } = await this.documents.fetch(uri));
    } catch (error) {
      if (error instanceof DocumentFetchError) throw new InvalidClientError(`the client's jwks_uri could not be fetched: ${error.reason}`);
      throw error;
    }
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new InvalidClientError('the client\'s jwks_uri did not return a JWK Set ({"keys": [...]})');
    const jwks = body as JSONWebKeySet;
    let resolver: JWTVerifyGetKey;
    try {
      resolver = createLocalJWKSet(jwks);
    } catch {
      throw new InvalidClientError("the client's jwks_uri returned a malformed JWK Set");
    }
    const fetched = { keys: resolver, jwks, fetchedAt: now };
    this.remote.set(uri, fetched, now + JWKS_URI_CACHE_MS, now);
    return fetched;
  }
}
