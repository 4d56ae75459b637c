import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientDirectory } from '../../lib/directory/client-directory.js';
import { InvalidClientError, RegistrationError } from '../../lib/errors.js';

// A minimal OAuth 2.0 token endpoint (TEST CODE ONLY) on the client directory: what an authorization
// server built on it does at POST /token. client_credentials for confidential clients; authorization_code
// with the one code TEST_AUTHORIZATION_CODE and the redirect_uri checked by the directory. With `tls`,
// it is HTTPS and asks for a client certificate (mutual TLS), which it hands to the directory.

export const TEST_AUTHORIZATION_CODE = 'test-authorization-code';

export interface TokenEndpoint {
  /** The issuer: http(s)://127.0.0.1:<port> */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** The reason of each refused client authentication, in order (what the AS would log). */
  readonly refusals: string[];
  close(): Promise<void>;
}

export interface TokenEndpointOptions {
  /** HTTPS with a client certificate request (rejectUnauthorized false: the directory judges the certificate). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** `directory` is built once the address is known: client assertions are addressed to the issuer or the token endpoint. */
export async function startTokenEndpoint(
  makeDirectory: (endpoint: { issuer: string; tokenEndpoint: string }) => ClientDirectory,
  options: TokenEndpointOptions = {},
): Promise<TokenEndpoint> {
  const refusals: string[] = [];
  let directory: ClientDirectory;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    void answer(directory, request, refusals).then(({ status, body, headers }) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }, handle)
    : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  directory = makeDirectory({ issuer, tokenEndpoint: `${issuer}/token` });
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

async function answer(directory: ClientDirectory, request: IncomingMessage, refusals: string[]): Promise<Answer> {
  if (request.method !== 'POST' || request.url !== '/token') return { status: 404, body: { error: 'not_found' } };
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const parameters = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const peer = (request.socket as TLSSocket).getPeerCertificate?.();
  try {
    const { client } = await directory.authenticate({
      authorization: request.headers.authorization,
      parameters,
      certificate: peer?.raw,
    });
    const grantType = parameters.get('grant_type');
    if (!((client.metadata.grant_types as string[] | undefined) ?? []).includes(grantType ?? '')) {
      return { status: 400, body: { error: 'unauthorized_client', error_description: `the client may not use ${grantType}` } };
    }
    if (grantType === 'authorization_code') {
      const redirectUri = parameters.get('redirect_uri') ?? '';
      if (parameters.get('code') !== TEST_AUTHORIZATION_CODE || !directory.matchRedirectUri(client, redirectUri)) {
        return { status: 400, body: { error: 'invalid_grant' } };
      }
    } else if (grantType === 'client_credentials') {
      if (client.metadata.token_endpoint_auth_method === 'none') return { status: 400, body: { error: 'unauthorized_client' } };
    } else {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    return {
      status: 200,
      body: { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, client_id: client.clientId },
    };
  } catch (error) {
    if (error instanceof InvalidClientError) {
      refusals.push(error.reason);
      return { status: 401, body: { error: 'invalid_client', error_description: error.description }, headers: { ...error.headers } };
    }
    if (error instanceof RegistrationError)
      return { status: error.status, body: { error: error.error, error_description: error.description } };
    refusals.push(`unexpected: ${(error as Error).message}`);
    return { status: 500, body: { error: 'server_error' } };
  }
}
