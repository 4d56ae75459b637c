import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A local HTTPS server for the sector_identifier_uri tests: a certificate made at test time with the
// openssl CLI (dynalite's bundled certificate expired in 2018 and names only "dynalite"), valid for
// 127.0.0.1 and for the name sector.example.test, which the tests resolve to 127.0.0.1.

export const SECTOR_HOST_NAME = 'sector.example.test';
export const LARGE_BYTES = 70 * 1024;

export interface SectorServer {
  /** https://127.0.0.1:<port> */
  readonly origin: string;
  readonly port: number;
  /** PEM certificate of the server (self-signed): pass it as the fetcher's `ca`. */
  readonly ca: string;
  /** JSON documents served with 200 by path. */
  readonly documents: Map<string, unknown>;
  /** Extra response headers of a document, by path (Cache-Control, ...). */
  readonly headers: Map<string, Record<string, string>>;
  /** Requests received: path and Host header. */
  readonly requests: { path: string; host: string | undefined }[];
  close(): Promise<void>;
}

/** A self-signed EC certificate and its key, made with openssl (default: the sector server's names). */
export function makeCertificate(options: { readonly subject?: string; readonly subjectAltName?: string } = {}): {
  key: string;
  cert: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'sector-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        options.subject ?? '/CN=sector identifier test',
        '-addext',
        options.subjectAltName ?? `subjectAltName=IP:127.0.0.1,DNS:${SECTOR_HOST_NAME}`,
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch (error) {
    throw new Error(`these tests need the openssl CLI to make a test certificate: ${(error as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Routes: /hang never answers; /redirect answers 302; /large sends 70 KiB with a Content-Length,
 * /large-chunked the same without one; /not-json sends text; /status/<n> answers n; any path in
 * `documents` answers 200 with that JSON; anything else 404.
 */
export async function startSectorServer(): Promise<SectorServer> {
  const { key, cert } = makeCertificate();
  const documents = new Map<string, unknown>();
  const headers = new Map<string, Record<string, string>>();
  const requests: { path: string; host: string | undefined }[] = [];
  const big = JSON.stringify(Array.from({ length: LARGE_BYTES / 32 }, (_, i) => `https://client.example/cb/${String(i).padStart(6, '0')}`));

  const server: Server = createServer({ key, cert }, (request, response) => {
    const path = request.url ?? '/';
    requests.push({ path, host: request.headers.host });
    if (path === '/hang') return;
    if (path === '/redirect') return void response.writeHead(302, { location: '/ok' }).end();
    if (path === '/large')
      return void response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) }).end(big);
    if (path === '/large-chunked') {
      response.writeHead(200, { 'content-type': 'application/json' });
      for (let offset = 0; offset < big.length; offset += 8192) response.write(big.slice(offset, offset + 8192));
      return void response.end();
    }
    if (path === '/not-json') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('https://client.example/cb');
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) return void response.writeHead(Number(status[1])).end();
    if (documents.has(path))
      return void response
        .writeHead(200, { 'content-type': 'application/json', ...headers.get(path) })
        .end(JSON.stringify(documents.get(path)));
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    ca: cert,
    documents,
    headers,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
