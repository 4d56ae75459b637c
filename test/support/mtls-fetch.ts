import { request } from 'node:https';

/**
 * A fetch for oauth4webapi's customFetch that presents a client certificate (mutual TLS) and trusts
 * `ca` for the server: Node's global fetch has no per-call client certificate.
 */
export function mtlsFetch(tls: { readonly ca: string; readonly cert: string; readonly key: string }) {
  return (url: string, init: { method?: string; headers?: Headers | Record<string, string>; body?: unknown }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).entries());
      const outgoing = request(url, { method: init.method ?? 'GET', headers, ...tls }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode, headers: responseHeaders }));
        });
      });
      outgoing.on('error', reject);
      outgoing.end(init.body === undefined ? undefined : String(init.body));
    });
}
