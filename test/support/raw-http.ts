import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends one HTTP/1.1 request exactly as written (request target, header lines and body are not
 * normalised as fetch would) to 127.0.0.1 and reads the answer; the connection is closed after it.
 */
export function rawRequest(
  port: number,
  request: { method: string; target: string; headers?: readonly [string, string][]; body?: string },
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  const body = Buffer.from(request.body ?? '', 'utf8');
  const lines = [`${request.method} ${request.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  if (request.body !== undefined) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    // no half-close: the server would take the FIN for an aborted request; it closes after answering (Connection: close)
    socket.on('connect', () => socket.write(Buffer.concat([head, body])));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = (split < 0 ? raw : raw.subarray(0, split)).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const content = split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4);
      resolve({ status, headers, body: dechunk(content, headers['transfer-encoding']).toString('utf8') });
    });
  });
}

function dechunk(body: Buffer, transferEncoding: string | undefined): Buffer {
  if (transferEncoding?.toLowerCase() !== 'chunked') return body;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = body.indexOf('\r\n', at);
    if (end < 0) return Buffer.concat(parts);
    const size = Number.parseInt(body.subarray(at, end).toString('latin1'), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(body.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
}
