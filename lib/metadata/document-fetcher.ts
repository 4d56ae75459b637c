/**
 * The port that reads a JSON document the service was told to fetch (a sector_identifier_uri, a
 * client's jwks_uri, a Client ID Metadata Document): the parsed body and the caching the server
 * allowed, or a DocumentFetchError saying why it could not be read. The real one is
 * https-document-fetcher.ts (public addresses only, pinned connection, no redirects, size cap, deadline).
 */
export interface FetchedDocument {
  readonly body: unknown;
  /** The response's Cache-Control header, when it sent one. */
  readonly cacheControl?: string;
}

export interface DocumentFetcher {
  fetch(uri: string): Promise<FetchedDocument>;
}

/** A fetch that failed for a reason the client can act on; the message is shown to it. */
export class DocumentFetchError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DocumentFetchError';
  }
}

/** Seconds of Cache-Control max-age (s-maxage is for shared caches, which this is not); 0 for no-store/no-cache; undefined when absent. */
export function maxAgeSeconds(cacheControl: string | undefined): number | undefined {
  if (cacheControl === undefined) return undefined;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.some((directive) => directive === 'no-store' || directive === 'no-cache')) return 0;
  for (const directive of directives) {
    const match = /^max-age\s*=\s*"?(\d{1,10})"?$/.exec(directive);
    if (match) return Number(match[1]);
  }
  return undefined;
}
