// Calls a Node HTTP request listener (here oidc-provider's Koa callback) in-process, with no socket and no
// HTTP parsing: the counterpart of our benchmark calling the Lambda handler with an API Gateway event.
import { type IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface InjectedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface InjectedResponse {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

// what Koa and oidc-provider read from req.socket: the scheme (TLS terminated as in production) and the peer
const SOCKET = Object.freeze({ encrypted: true, remoteAddress: '127.0.0.1', writable: true });

function incomingMessage(request: InjectedRequest): IncomingMessage {
  const payload = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = { ...request.headers };
  if (payload) headers['content-length'] = String(payload.length);
  const stream = Readable.from(payload ? [payload] : [], { objectMode: false });
  return Object.assign(stream, {
    method: request.method,
    url: request.path,
    headers,
    httpVersion: '1.1',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    socket: SOCKET,
  }) as unknown as IncomingMessage;
}

class CapturingResponse extends ServerResponse {
  constructor(
    req: IncomingMessage,
    private readonly done: (response: InjectedResponse) => void,
  ) {
    super(req);
  }

  // with no socket the real end() would buffer forever; capture the body and finish instead
  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    const cb = [chunk, encoding, callback].find((value) => typeof value === 'function') as (() => void) | undefined;
    const body = typeof chunk === 'string' || Buffer.isBuffer(chunk) ? chunk.toString() : '';
    if (!this.headersSent) this.writeHead(this.statusCode);
    (this as { finished: boolean }).finished = true;
    this.done({ status: this.statusCode, headers: this.getHeaders(), body });
    this.emit('finish');
    cb?.();
    return this;
  }

  override write(): boolean {
    throw new Error('streamed responses are not supported by the injector');
  }
}

export function inject(listener: RequestListener, request: InjectedRequest): Promise<InjectedResponse> {
  return new Promise((resolve, reject) => {
    const req = incomingMessage(request);
    const res = new CapturingResponse(req, resolve);
    Promise.resolve(listener(req, res)).catch(reject);
  });
}
