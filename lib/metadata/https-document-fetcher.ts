import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { type RequestOptions, request } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { temporarilyUnavailable } from '../errors.js';
import { callTimeMs, TIME_BUDGET } from '../time-budget.js';
import { DocumentFetchError, type DocumentFetcher } from './document-fetcher.js';
import { isPublicAddress } from './public-address.js';
import type { SectorIdentifierFetcher } from './sector-identifier.js';

export const DOCUMENT_TIMEOUT_MS = TIME_BUDGET.remoteCallMs;
export const DOCUMENT_MAX_BYTES = 64 * 1024;

export interface HttpsDocumentFetcherOptions {
  /** The whole fetch (DNS, connect, TLS, body) must finish within this, and within the request's deadline. */
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /**
   * TESTS ONLY: addresses that may be fetched although they are not public (a local test server on
   * 127.0.0.1). Never set in production: lib/runtime.ts builds the fetcher without it and no setting
   * or environment variable reaches it.
   */
  readonly allowAddresses?: readonly string[];
  /** TESTS ONLY: the certificate authority of a local test server (added to nothing: it replaces the default trust). */
  readonly ca?: string | Buffer;
  /** TESTS ONLY: stands in for DNS (host name -> addresses), to play a host that resolves to a given address. */
  readonly resolve?: (hostname: string) => Promise<readonly string[]>;
  /**
   * LOCAL MODE ONLY (DCR_LOCAL_FETCH_HOSTS, refused outside local mode by lib/runtime.ts): host names
   * (or IP literals) that may resolve to loopback or private addresses, so a developer can serve a
   * document from 127.0.0.1. Every other host is still held to public addresses.
   */
  readonly allowHosts?: readonly string[];
  /** LOCAL MODE ONLY (DCR_LOCAL_FETCH_CA_FILE): a certificate authority trusted in addition to the default ones. */
  readonly extraCa?: string | Buffer;
  /** Names the fetch in the User-Agent header (what the document is read for). */
  readonly purpose?: string;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

async function systemResolve(hostname: string): Promise<readonly string[]> {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => entry.address);
}

/**
 * Fetches a JSON document a client named (sector_identifier_uri, jwks_uri, a Client ID Metadata
 * Document) without letting the client aim the server at its own network (SSRF):
 * https only; the host's addresses are resolved once and every one must be public; the connection
 * goes to the address that was checked (a pinned `lookup`, so a second DNS answer cannot swap in
 * 127.0.0.1: DNS rebinding); no redirects; a deadline over the whole exchange; a size cap.
 */
export function createDocumentFetcher(options: HttpsDocumentFetcherOptions = {}): DocumentFetcher {
  const timeoutMs = options.timeoutMs ?? DOCUMENT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DOCUMENT_MAX_BYTES;
  const allowed: ReadonlySet<string> = new Set(options.allowAddresses ?? []);
  const allowedHosts: ReadonlySet<string> = new Set((options.allowHosts ?? []).map(bareHost));
  const resolve = options.resolve ?? systemResolve;
  const ca =
    options.extraCa === undefined
      ? options.ca
      : [...rootCertificates, String(options.extraCa), ...(options.ca ? [String(options.ca)] : [])];
  const purpose = options.purpose ?? 'a document';
  const userAgent = `dcr-service ${purpose} fetch`;

  async function vettedAddress(hostname: string): Promise<string> {
    let addresses: readonly string[];
    if (isIP(hostname)) addresses = [hostname];
    else {
      try {
        addresses = await resolve(hostname);
      } catch {
        throw new DocumentFetchError(`the host ${hostname} could not be resolved`);
      }
    }
    if (addresses.length === 0) throw new DocumentFetchError(`the host ${hostname} has no address`);
    // Every address must pass, not just the first: the client controls the DNS answer's order.
    if (allowedHosts.has(hostname.toLowerCase())) return addresses[0]!;
    const refused = addresses.find((address) => !allowed.has(address) && !isPublicAddress(address));
    if (refused !== undefined) throw new DocumentFetchError(`address ${refused} is not public`);
    return addresses[0]!;
  }

  return {
    async fetch(uri) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        throw new DocumentFetchError('it is not an absolute URI');
      }
      if (url.protocol !== 'https:') throw new DocumentFetchError('it must use https');
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');

      // The client's server gets timeoutMs: slower is the client's problem (400). When the request's own
      // deadline comes first, the time ran out on our side: a 503 to retry.
      const allowed = callTimeMs(timeoutMs);
      const outOfTime = () =>
        allowed < timeoutMs
          ? temporarilyUnavailable(`the request ran out of time while fetching ${purpose}; retry shortly`, 1)
          : new DocumentFetchError(`no answer within ${timeoutMs} ms`);
      if (allowed <= 0) throw outOfTime();
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), allowed);
      const timedOut = new Promise<never>((_, reject) => {
        deadline.signal.addEventListener('abort', () => reject(outOfTime()), { once: true });
      });
      timedOut.catch(() => undefined);
      try {
        const address = await Promise.race([vettedAddress(hostname), timedOut]);
        const { body, cacheControl } = await Promise.race([
          get(url, hostname, address, { signal: deadline.signal, maxBytes, ca, userAgent }),
          timedOut,
        ]);
        try {
          return { body: JSON.parse(body.toString('utf8')) as unknown, cacheControl };
        } catch {
          throw new DocumentFetchError('the response is not JSON');
        }
      } finally {
        clearTimeout(timer);
        deadline.abort();
      }
    },
  };
}

function pinnedLookup(address: string) {
  const family = isIP(address);
  // Node asks for every address (`all`) when it races IPv4 and IPv6 (autoSelectFamily): answer both shapes.
  return (_hostname: string, options: LookupOptions, callback: LookupCallback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

interface GetOptions {
  readonly signal: AbortSignal;
  readonly maxBytes: number;
  readonly ca?: string | Buffer | string[];
  readonly userAgent: string;
}

function get(
  url: URL,
  hostname: string,
  address: string,
  { signal, maxBytes, ca, userAgent }: GetOptions,
): Promise<{ body: Buffer; cacheControl?: string }> {
  const requestOptions: RequestOptions = {
    method: 'GET',
    hostname,
    port: url.port || 443,
    path: `${url.pathname}${url.search}`,
    headers: { accept: 'application/json', 'user-agent': userAgent },
    lookup: pinnedLookup(address) as unknown as RequestOptions['lookup'],
    // SNI and certificate checks use the host name; an IP literal host is checked against the certificate's IP names
    servername: isIP(hostname) ? undefined : hostname,
    agent: false,
    signal,
    ...(ca === undefined ? {} : { ca }),
  };
  return new Promise<{ body: Buffer; cacheControl?: string }>((resolve, reject) => {
    const fail = (reason: string) => {
      reject(new DocumentFetchError(reason));
      outgoing.destroy();
    };
    const outgoing = request(requestOptions, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(`it answered HTTP ${status}; redirects are not followed`);
      if (status !== 200) return fail(`it answered HTTP ${status}`);
      if (Number(response.headers['content-length'] ?? 0) > maxBytes) return fail(`the response is larger than ${maxBytes} bytes`);
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(`the response is larger than ${maxBytes} bytes`);
        chunks.push(chunk);
      });
      const cacheControl = response.headers['cache-control'];
      response.on('end', () => resolve({ body: Buffer.concat(chunks), cacheControl }));
      response.on('error', (error: NodeJS.ErrnoException) => fail(connectionProblem(error)));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => fail(connectionProblem(error)));
    outgoing.end();
  });
}

/** The sector_identifier_uri check reads the body only. */
export function createSectorIdentifierFetcher(options: HttpsDocumentFetcherOptions = {}): SectorIdentifierFetcher {
  const documents = createDocumentFetcher({ purpose: 'sector_identifier_uri', ...options });
  return { fetch: async (uri) => (await documents.fetch(uri)).body };
}

/** URL.hostname keeps IPv6 brackets; the vetting compares bare addresses and lower-case names. */
function bareHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/** A short, safe reason: the error code (ECONNREFUSED, CERT_HAS_EXPIRED, ...), never a stack. */
function connectionProblem(error: NodeJS.ErrnoException): string {
  if (error.name === 'AbortError') return 'the request was aborted';
  return `the connection failed (${(error.code ?? 'error').slice(0, 60)})`;
}
