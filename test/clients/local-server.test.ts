import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDevIssuer } from '../../infra/local/dev-issuer.js';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../infra/local/embedded-dynamodb.js';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';

// The local server itself (infra/local/server.ts): what `npm start` gives a developer. Several
// servers run in this file, strictly one after the other (each sets the process-wide runtime).

const REGISTRATION_PATH = '/as/clients.oauth2';
const MAX_BODY_BYTES = 64 * 1024;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

async function call(
  server: LocalServer,
  method: string,
  path: string,
  options: { body?: string | Record<string, unknown>; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: typeof options.body === 'string' || options.body === undefined ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function registerWithDevToken(server: LocalServer, metadata: Record<string, unknown>): Promise<Answer> {
  const token = await server.devIssuer!.mint({ scope: 'dcr:register' });
  return call(server, 'POST', REGISTRATION_PATH, { body: metadata, token });
}

function tableClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function scan(endpoint: string, tableName: string): Promise<Record<string, any>[]> {
  const client = tableClient(endpoint);
  try {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    return Items.map((item) => unmarshall(item));
  } finally {
    client.destroy();
  }
}

describe('local server with its defaults', () => {
  let server: LocalServer;
  let printed: unknown[][];

  beforeAll(async () => {
    printed = [];
    const spies = (['log', 'info', 'warn', 'error'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        printed.push(args);
      }),
    );
    try {
      server = await startLocalServer({ port: 0, env: { DCR_TABLE_NAME: 'clients-local-defaults' } });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  const items = () => scan(server.dynamoDbEndpoint, server.tableName);

  it('starts on a free loopback port without printing anything (the banner belongs to npm start)', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(server.url).port).not.toBe('0');
    expect(printed).toEqual([]);
    expect(server.tableName).toBe('clients-local-defaults');
    expect(server.dynamoDb?.endpoint).toBe(server.dynamoDbEndpoint);
    expect(server.settings).toMatchObject({ registrationEnabled: true, managementEnabled: true, requireInitialAccessToken: true });
  });

  it("serves the development issuer's public key, and tokens it mints verify against it", async () => {
    const answer = await call(server, 'GET', '/.well-known/jwks.json');
    const token = await server.devIssuer!.mint({ scope: 'dcr:register' });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.body.keys).toHaveLength(1);
    expect(answer.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    expect(answer.body.keys[0]).not.toHaveProperty('d');
    expect(answer.body).toEqual(server.devIssuer!.jwks);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), { issuer: server.url });
    expect(payload.scope).toBe('dcr:register');
  });

  it('answers an unknown path with a 404 JSON error', async () => {
    for (const path of ['/nothing-here', `${REGISTRATION_PATH}/abc/extra`, '/as']) {
      const answer = await call(server, 'GET', path);

      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.body).toMatchObject({ error: 'not_found' });
    }
  });

  it('answers a method the route table lacks with 405 and the Allow header of that path', async () => {
    const before = await items();

    const onCollection = await call(server, 'GET', REGISTRATION_PATH);
    const onClient = await call(server, 'POST', `${REGISTRATION_PATH}/abc`, { body: { redirect_uris: ['https://app.example.com/cb'] } });
    const patch = await call(server, 'PATCH', `${REGISTRATION_PATH}/abc`, { body: {} });

    expect(onCollection.status).toBe(405);
    expect(onCollection.headers.get('allow')).toBe('POST');
    expect(onClient.status).toBe(405);
    expect(onClient.headers.get('allow')).toBe('GET, PUT, DELETE');
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, PUT, DELETE');
    expect(await items()).toEqual(before);
  });

  it('hands a body over 64 KiB to the handler, which answers 413 invalid_request, and stores nothing', async () => {
    const before = await items();
    const token = await server.devIssuer!.mint({ scope: 'dcr:register' });

    const answer = await call(server, 'POST', REGISTRATION_PATH, { body: paddedBody(MAX_BODY_BYTES + 1), token });

    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
    // the handler's answer (not the server's own), so it carries the service's no-store headers
    expect(answer.headers.get('pragma')).toBe('no-cache');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await items()).toEqual(before);
  });

  it('accepts a body of exactly 64 KiB', async () => {
    const token = await server.devIssuer!.mint({ scope: 'dcr:register' });

    const answer = await call(server, 'POST', REGISTRATION_PATH, { body: paddedBody(MAX_BODY_BYTES), token });

    expect(answer.status).toBe(201);
    expect(answer.body).not.toHaveProperty('x_padding');
    expect((await items()).some((item) => item.client_id === answer.body.client_id)).toBe(true);
  });
});

/** A registration of exactly `bytes` bytes: a valid client plus an unknown field (ignored) as padding. */
function paddedBody(bytes: number): string {
  const empty = JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], x_padding: '' });
  const body = JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], x_padding: 'x'.repeat(bytes - empty.length) });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

describe('local server with DCR_REGISTRATION_ENABLED=false', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ port: 0, env: { DCR_TABLE_NAME: 'clients-local-disabled', DCR_REGISTRATION_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers every route with 404 not_found and stores nothing', async () => {
    const token = await server.devIssuer!.mint({ scope: 'dcr:register' });

    const answers = [
      await call(server, 'POST', REGISTRATION_PATH, { body: { redirect_uris: ['https://app.example.com/cb'] }, token }),
      await call(server, 'GET', `${REGISTRATION_PATH}/abc`, { token: 'any' }),
      await call(server, 'PUT', `${REGISTRATION_PATH}/abc`, { body: { client_id: 'abc' }, token: 'any' }),
      await call(server, 'DELETE', `${REGISTRATION_PATH}/abc`, { token: 'any' }),
    ];

    expect(server.settings.registrationEnabled).toBe(false);
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ error: 'not_found' });
    }
    expect(await scan(server.dynamoDbEndpoint, server.tableName)).toEqual([]);
  });
});

describe('local server with DCR_LOCAL_DATA_DIR', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dcr-local-data-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps registered clients across a restart', async () => {
    const env = {
      DCR_TABLE_NAME: 'clients-local-persisted',
      DCR_LOCAL_DATA_DIR: dataDir,
      DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: 'false',
      DCR_ROTATE_CLIENT_SECRET: 'false',
    };
    const first = await startLocalServer({ port: 0, env });
    let registered: Answer;
    try {
      registered = await registerWithDevToken(first, { client_name: 'Survivor', redirect_uris: ['https://app.example.com/cb'] });
    } finally {
      await first.close();
    }
    expect(registered.status).toBe(201);

    const second = await startLocalServer({ port: 0, env });
    try {
      const read = await call(second, 'GET', `${REGISTRATION_PATH}/${registered.body.client_id}`, {
        token: registered.body.registration_access_token,
      });

      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        client_id: registered.body.client_id,
        client_name: 'Survivor',
        client_id_issued_at: registered.body.client_id_issued_at,
        registration_access_token: registered.body.registration_access_token,
        registration_client_uri: `${second.url}${REGISTRATION_PATH}/${registered.body.client_id}`,
      });
      expect(read.body).not.toHaveProperty('client_secret');
    } finally {
      await second.close();
    }
  });

  it('still hands out a recoverable (client_secret_jwt) secret after a restart: its sealing key is kept with the data', async () => {
    const env = {
      DCR_TABLE_NAME: 'clients-local-sealed',
      DCR_LOCAL_DATA_DIR: dataDir,
      DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: 'false',
      DCR_ROTATE_CLIENT_SECRET: 'false',
    };
    const first = await startLocalServer({ port: 0, env });
    let registered: Answer;
    try {
      registered = await registerWithDevToken(first, {
        redirect_uris: ['https://app.example.com/cb'],
        token_endpoint_auth_method: 'client_secret_jwt',
      });
    } finally {
      await first.close();
    }
    expect(registered.status).toBe(201);
    expect(registered.body.client_secret).toEqual(expect.any(String));

    const second = await startLocalServer({ port: 0, env });
    try {
      const read = await call(second, 'GET', `${REGISTRATION_PATH}/${registered.body.client_id}`, {
        token: registered.body.registration_access_token,
      });

      expect(read.status).toBe(200);
      expect(read.body.client_secret).toBe(registered.body.client_secret);
    } finally {
      await second.close();
    }
  });
});

describe('a local server that cannot start', () => {
  it('rejects with the offending setting and releases its port', async () => {
    const port = await freePort();

    const failed = await startLocalServer({
      port,
      env: { DCR_TABLE_NAME: 'clients-local-broken', DCR_REGISTRATION_ENABLED: 'maybe' },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const next = await startLocalServer({ port, env: { DCR_TABLE_NAME: 'clients-local-broken' } });
    await next.close();

    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/DCR_REGISTRATION_ENABLED.*maybe/);
    expect(next.url).toBe(`http://127.0.0.1:${port}`);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('local server with AWS_ENDPOINT_URL_DYNAMODB', () => {
  let external: EmbeddedDynamoDb;
  beforeAll(async () => {
    external = await startEmbeddedDynamoDb();
  });
  afterAll(async () => {
    await external?.close();
  });

  it('uses that DynamoDB instead of its own, creating the table when missing', async () => {
    const client = tableClient(external.endpoint);
    const { TableNames: tablesBefore = [] } = await client.send(new ListTablesCommand({}));
    client.destroy();

    const server = await startLocalServer({
      port: 0,
      env: { DCR_TABLE_NAME: 'custom-clients', AWS_ENDPOINT_URL_DYNAMODB: external.endpoint },
    });
    try {
      const countBefore = external.requestCount();
      const registered = await registerWithDevToken(server, { redirect_uris: ['https://app.example.com/cb'] });

      expect(tablesBefore).not.toContain('custom-clients');
      expect(server.dynamoDb).toBeUndefined();
      expect(server.dynamoDbEndpoint).toBe(external.endpoint);
      expect(server.tableName).toBe('custom-clients');
      expect(registered.status).toBe(201);
      expect(external.requestCount() - countBefore).toBe(1);
      expect((await scan(external.endpoint, 'custom-clients')).map((item) => item.client_id)).toEqual([registered.body.client_id]);
    } finally {
      await server.close();
    }
  });

  it('reuses the table when it already exists, keeping its clients', async () => {
    const client = tableClient(external.endpoint);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'custom-clients' }));
    client.destroy();
    const itemsBefore = await scan(external.endpoint, 'custom-clients');

    const server = await startLocalServer({
      port: 0,
      env: { DCR_TABLE_NAME: 'custom-clients', AWS_ENDPOINT_URL_DYNAMODB: external.endpoint },
    });
    await server.close();

    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(itemsBefore).toHaveLength(1);
    expect(await scan(external.endpoint, 'custom-clients')).toEqual(itemsBefore);
  });
});

describe('local server with DCR_IAT_ISSUER', () => {
  const ISSUER = 'https://issuer.example.test';
  let jwksServer: Server;
  let server: LocalServer;
  let issuer: Awaited<ReturnType<typeof createDevIssuer>>;

  beforeAll(async () => {
    // The configured issuer's keys, served over http on loopback as the jwks_uri (no network here).
    issuer = await createDevIssuer(ISSUER);
    jwksServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(issuer.jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', () => resolve()));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    server = await startLocalServer({
      port: 0,
      env: { DCR_TABLE_NAME: 'clients-local-issuer', DCR_IAT_ISSUER: ISSUER, DCR_IAT_JWKS_URI: jwksUri },
    });
  });
  afterAll(async () => {
    await server?.close();
    jwksServer?.closeAllConnections();
    if (jwksServer) await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  it('makes no development issuer and serves no JWKS of its own', async () => {
    const answer = await call(server, 'GET', '/.well-known/jwks.json');

    expect(server.devIssuer).toBeUndefined();
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'not_found' });
  });

  it('accepts initial access tokens signed with the configured issuer keys and refuses others naming that issuer', async () => {
    const stranger = await createDevIssuer(ISSUER);
    const before = await scan(server.dynamoDbEndpoint, server.tableName);

    const foreign = await call(server, 'POST', REGISTRATION_PATH, {
      body: { redirect_uris: ['https://app.example.com/cb'] },
      token: await stranger.mint({ scope: 'dcr:register' }),
    });
    const afterForeign = await scan(server.dynamoDbEndpoint, server.tableName);
    const accepted = await call(server, 'POST', REGISTRATION_PATH, {
      body: { redirect_uris: ['https://app.example.com/cb'] },
      token: await issuer.mint({ scope: 'dcr:register' }),
    });

    expect(foreign.status).toBe(401);
    expect(foreign.body).toMatchObject({ error: 'invalid_token' });
    expect(foreign.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(afterForeign).toEqual(before);
    expect(accepted.status).toBe(201);
  });
});

describe('npm start (infra/local/main.ts)', () => {
  it('prints the URL and an initial access token that registers a client, audience included when one is configured', async () => {
    const audience = 'https://dcr.example.test';
    // Only what the entry needs: PATH to find node, and the settings under test (not this process's DCR_*).
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { PATH: process.env.PATH, PORT: '0', DCR_TABLE_NAME: 'clients-npm-start', DCR_IAT_AUDIENCE: audience, DCR_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const banner = await bannerOf(child);
      const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
      const token = /export IAT=(\S+)/.exec(banner)?.[1];

      const response = await fetch(`${url}${REGISTRATION_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'My App', redirect_uris: ['https://app.example.com/callback'] }),
      });

      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(token).toBeDefined();
      expect(banner).toContain(`curl -s -X POST ${url}${REGISTRATION_PATH}`);
      expect(banner).toMatch(/DCR_REGISTRATION_ENABLED\s+true/);
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({
        client_name: 'My App',
        registration_client_uri: expect.stringContaining(`${url}${REGISTRATION_PATH}/`),
      });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
  });
});

/** Collects the child's stdout until the banner's last line (the curl example) has arrived. */
function bannerOf(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes("-d '{")) resolve(out);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${err}`)));
  });
}
