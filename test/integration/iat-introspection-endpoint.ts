import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local OAuth 2.0 Token Introspection endpoint (RFC 7662) on 127.0.0.1 for the tests: it checks the
// caller's client_secret_basic credentials (form-decoded, RFC 6749 §2.3.1), answers from a table of
// tokens (unknown tokens are inactive), counts the calls, and can be made to fail in several ways.

export type EndpointMode = 'answer' | 'drop-connection' | 'hang' | 'fail';

export interface IntrospectionCall {
  readonly token?: string;
  readonly tokenTypeHint?: string;
  readonly contentType?: string;
  readonly authenticated: boolean;
}

export class IntrospectionEndpoint {
  readonly answers = new Map<string, Record<string, unknown>>();
  readonly calls: IntrospectionCall[] = [];
  mode: EndpointMode = 'answer';
  private readonly server: Server;

  constructor(
    readonly clientId: string,
    public clientSecret: string,
  ) {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, body }) => {
        if (this.mode === 'drop-connection') return request.socket.destroy();
        if (this.mode === 'hang') return; // closeAllConnections ends it
        response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/introspect`;
  }

  /** Calls the endpoint received since the last reset. */
  callCount(): number {
    return this.calls.length;
  }

  reset(): void {
    this.answers.clear();
    this.calls.length = 0;
    this.mode = 'answer';
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const authenticated = this.authenticated(request.headers.authorization);
    this.calls.push({
      token: form.get('token') ?? undefined,
      tokenTypeHint: form.get('token_type_hint') ?? undefined,
      contentType: request.headers['content-type'],
      authenticated,
    });
    if (this.mode === 'fail') return { status: 500, body: { error: 'server_error' } };
    if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return { status: 400, body: { error: 'invalid_request' } };
    }
    if (!authenticated) return { status: 401, body: { error: 'invalid_client' } };
    return { status: 200, body: this.answers.get(form.get('token') ?? '') ?? { active: false } };
  }

  private authenticated(authorization: string | undefined): boolean {
    const match = /^Basic (.+)$/.exec(authorization ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
    return formDecode(decoded.slice(0, separator)) === this.clientId && formDecode(decoded.slice(separator + 1)) === this.clientSecret;
  }
}
