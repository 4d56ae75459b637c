import { invalidClientMetadata } from '../errors.js';
import { loadOnFirstUse } from '../load-on-first-use.js';
import { DocumentFetchError } from './document-fetcher.js';
import type { HttpsDocumentFetcherOptions } from './https-document-fetcher.js';

/** The sector_identifier_uri fetch fails like every document fetch (https-document-fetcher.ts). */
export { DocumentFetchError as SectorIdentifierFetchError };

/** Whether validating this request body would fetch a document from the network. */
export function requestsOutsideFetch(input: Readonly<Record<string, unknown>>): boolean {
  return typeof input.sector_identifier_uri === 'string';
}

/**
 * The port that reads a sector_identifier_uri (OIDC-Reg §5): the parsed JSON body, or a
 * DocumentFetchError saying why it could not be read. The real one is createSectorIdentifierFetcher
 * (https-document-fetcher.ts), built once per container by sectorIdentifierFetcherOnFirstUse.
 */
export interface SectorIdentifierFetcher {
  fetch(uri: string): Promise<unknown>;
}

/**
 * The real fetcher, with its HTTPS and DNS code loaded on the first sector_identifier_uri (most
 * registrations name none, so no cold start pays for it; lib/load-on-first-use.ts).
 */
export function sectorIdentifierFetcherOnFirstUse(options?: HttpsDocumentFetcherOptions): SectorIdentifierFetcher {
  const fetcher = loadOnFirstUse(async () => (await import('./https-document-fetcher.js')).createSectorIdentifierFetcher(options));
  return { fetch: async (uri) => (await fetcher()).fetch(uri) };
}

const MAX_SHOWN_URI = 120;

/**
 * OIDC-Reg §5: the document at sector_identifier_uri is a JSON array of strings holding every
 * registered redirect URI. Fetched on every registration and update (the file may change).
 */
export async function checkSectorIdentifier(metadata: Readonly<Record<string, unknown>>, fetcher: SectorIdentifierFetcher): Promise<void> {
  const uri = metadata.sector_identifier_uri as string | undefined;
  if (uri === undefined) return;
  let document: unknown;
  try {
    document = await fetcher.fetch(uri);
  } catch (error) {
    if (error instanceof DocumentFetchError)
      throw invalidClientMetadata(`sector_identifier_uri could not be fetched: ${error.reason}`, { cause: error });
    throw error;
  }
  if (!Array.isArray(document) || !document.every((entry) => typeof entry === 'string')) {
    throw invalidClientMetadata('sector_identifier_uri must return a JSON array of strings (the redirect URIs)');
  }
  const listed = new Set(document);
  const missing = ((metadata.redirect_uris as string[] | undefined) ?? []).find((redirect) => !listed.has(redirect));
  if (missing !== undefined) {
    throw invalidClientMetadata(
      `sector_identifier_uri does not list the redirect URI ${JSON.stringify(missing).slice(0, MAX_SHOWN_URI)}: it must list every redirect_uris value`,
    );
  }
}
