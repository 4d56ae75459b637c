import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  InvalidClientMetadataError,
  InvalidTokenError,
  type OAuthError,
  ServerError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { OAuthClientInformationFullSchema, type OAuthClientMetadata, type OAuthMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';

// The MCP TypeScript SDK's client-side registration (registerClient), as an MCP client runs it when
// it meets a new authorization server: anonymous (MCP clients have no initial access token), over
// plain http on loopback. Two local servers, one after the other: IAT off, then IAT on.

// What MCP clients such as desktop apps and IDEs send: a public client with a loopback redirect (RFC 8252 §7.3).
const MCP_CLIENT: OAuthClientMetadata = {
  client_name: 'Example MCP Client',
  redirect_uris: ['http://127.0.0.1:33418/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

interface Served {
  readonly server: LocalServer;
  readonly metadata: OAuthMetadata;
  items(): Promise<Record<string, any>[]>;
  close(): Promise<void>;
}

async function serve(env: Record<string, string>): Promise<Served> {
  const server = await startLocalServer({ port: 0, env });
  const table = new DynamoDBClient({
    endpoint: server.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    server,
    // This service is only the registration endpoint; the other endpoints belong to the authorization
    // server in front of it and are never called by registerClient.
    metadata: {
      issuer: server.url,
      authorization_endpoint: `${server.url}/as/authorization.oauth2`,
      token_endpoint: `${server.url}/as/token.oauth2`,
      registration_endpoint: `${server.url}/as/clients.oauth2`,
      response_types_supported: ['code'],
    },
    items: async () => {
      const { Items = [] } = await table.send(new ScanCommand({ TableName: server.tableName, ConsistentRead: true }));
      return Items.map((item) => unmarshall(item));
    },
    close: async () => {
      table.destroy();
      await server.close();
    },
  };
}

/**
 * registerClient parses the answer with a schema that strips what it does not know, so the RFC 7592
 * fields (registration_access_token, registration_client_uri) never reach the caller. This fetch
 * keeps a copy of the raw body so the test can manage the client the SDK registered.
 */
function recordingFetch() {
  const recorded: { body?: Record<string, any> } = {};
  const fetchFn = async (url: string | URL, init?: RequestInit) => {
    const response = await fetch(url, init);
    recorded.body = (await response.clone().json()) as Record<string, any>;
    return response;
  };
  return { fetchFn, recorded };
}

async function manage(method: 'GET' | 'DELETE', uri: string, token: string) {
  const response = await fetch(uri, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('MCP SDK registerClient, anonymous registration (no initial access token required)', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ DCR_TABLE_NAME: 'clients-mcp-anonymous', DCR_REQUIRE_INITIAL_ACCESS_TOKEN: 'false' });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('registers a public MCP client with a loopback redirect, and the SDK parses the answer', async () => {
    const { fetchFn, recorded } = recordingFetch();

    const information = await registerClient(served.server.url, { metadata: served.metadata, clientMetadata: MCP_CLIENT, fetchFn });

    expect(information).toMatchObject({ ...MCP_CLIENT, client_id: expect.any(String), client_id_issued_at: expect.any(Number) });
    expect(information).not.toHaveProperty('client_secret');
    expect(information).not.toHaveProperty('client_secret_expires_at');
    // the raw answer is a valid OAuthClientInformationFull on its own, RFC 7592 fields included
    expect(OAuthClientInformationFullSchema.safeParse(recorded.body).success).toBe(true);
    expect(recorded.body).toMatchObject({
      client_id: information.client_id,
      registration_access_token: expect.any(String),
      registration_client_uri: `${served.server.url}/as/clients.oauth2/${information.client_id}`,
    });
    const stored = (await served.items()).find((item) => item.client_id === information.client_id);
    expect(stored?.metadata).toMatchObject(MCP_CLIENT);
    expect(stored?.client_secret_hash).toBeUndefined();
  });

  it('issues a secret to a confidential MCP client (client_secret_basic)', async () => {
    const clientMetadata = { ...MCP_CLIENT, client_name: 'Example MCP Server Proxy', token_endpoint_auth_method: 'client_secret_basic' };

    const information = await registerClient(served.server.url, { metadata: served.metadata, clientMetadata });

    expect(information).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret: expect.any(String),
      client_secret_expires_at: 0,
    });
    expect(information.client_secret!.length).toBeGreaterThanOrEqual(43);
    const stored = (await served.items()).find((item) => item.client_id === information.client_id);
    expect(stored?.client_secret_hash).toEqual(expect.any(String));
    expect(JSON.stringify(stored)).not.toContain(information.client_secret!);
  });

  it('lets the MCP client read and delete its registration with the registration access token', async () => {
    const { fetchFn, recorded } = recordingFetch();
    const information = await registerClient(served.server.url, { metadata: served.metadata, clientMetadata: MCP_CLIENT, fetchFn });
    const uri = recorded.body!.registration_client_uri as string;

    const read = await manage('GET', uri, recorded.body!.registration_access_token);
    const deleted = await manage('DELETE', uri, read.body!.registration_access_token);
    const afterDelete = await manage('GET', uri, read.body!.registration_access_token);

    expect(read.status).toBe(200);
    expect(OAuthClientInformationFullSchema.parse(read.body)).toMatchObject({ ...MCP_CLIENT, client_id: information.client_id });
    expect(read.body).not.toHaveProperty('client_secret');
    expect(read.body!.registration_access_token).not.toBe(recorded.body!.registration_access_token);
    expect(deleted.status).toBe(204);
    expect(afterDelete.status).toBe(401);
    expect(afterDelete.body).toMatchObject({ error: 'invalid_token' });
    expect((await served.items()).some((item) => item.client_id === information.client_id)).toBe(false);
  });

  it('reports inconsistent metadata to the SDK as an InvalidClientMetadataError', async () => {
    const before = await served.items();

    const error = await rejection(
      registerClient(served.server.url, { metadata: served.metadata, clientMetadata: { ...MCP_CLIENT, response_types: ['token'] } }),
    );

    expect(error).toBeInstanceOf(InvalidClientMetadataError);
    expect((error as OAuthError).errorCode).toBe('invalid_client_metadata');
    expect((error as Error).message).toMatch(/response_types|grant_types/);
    expect(await served.items()).toEqual(before);
  });

  it('reports a bad redirect URI with its description, though the SDK has no class for invalid_redirect_uri', async () => {
    const before = await served.items();

    const error = await rejection(
      registerClient(served.server.url, {
        metadata: served.metadata,
        clientMetadata: { ...MCP_CLIENT, redirect_uris: ['http://127.0.0.1:33418/callback#done'] },
      }),
    );

    // The SDK maps error codes it does not know to ServerError; the message is our error_description.
    expect(error).toBeInstanceOf(ServerError);
    expect((error as Error).message).toMatch(/redirect_uris.*fragment/);
    expect(await served.items()).toEqual(before);
  });
});

describe('MCP SDK registerClient when an initial access token is required', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ DCR_TABLE_NAME: 'clients-mcp-iat', DCR_REQUIRE_INITIAL_ACCESS_TOKEN: 'true' });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('rejects the anonymous registration, and the SDK throws an InvalidTokenError', async () => {
    const before = await served.items();
    let status: number | undefined;
    let challenge: string | null = null;
    const fetchFn = async (url: string | URL, init?: RequestInit) => {
      const response = await fetch(url, init);
      status = response.status;
      challenge = response.headers.get('www-authenticate');
      return response;
    };

    const error = await rejection(registerClient(served.server.url, { metadata: served.metadata, clientMetadata: MCP_CLIENT, fetchFn }));

    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as OAuthError).errorCode).toBe('invalid_token');
    expect((error as Error).message).toContain('initial access token is required');
    expect(status).toBe(401);
    expect(challenge).toBe('Bearer');
    expect(await served.items()).toEqual(before);
  });
});
