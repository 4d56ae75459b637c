import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';

// oauth4webapi (panva) as a relying party would use it: RFC 7591 registration through its own API,
// against the local server over real HTTP. oauth4webapi has no RFC 7592 (read / update / delete)
// API, so management goes through plain fetch with the registration access token it handed back.

const REQUIRED_SCOPE = 'dcr:register';

let server: LocalServer;
let table: DynamoDBClient;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  server = await startLocalServer({
    port: 0,
    env: {
      DCR_TABLE_NAME: 'clients-oauth4webapi',
      DCR_REQUIRE_INITIAL_ACCESS_TOKEN: 'true',
      DCR_INITIAL_ACCESS_TOKEN_SCOPES: REQUIRED_SCOPE,
    },
  });
  table = new DynamoDBClient({
    endpoint: server.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  as = { issuer: server.devIssuer!.issuer, registration_endpoint: `${server.url}/as/clients.oauth2` };
});

afterAll(async () => {
  table?.destroy();
  await server?.close();
});

// The local server is plain http on loopback (no TLS to terminate locally), and oauth4webapi refuses
// any non-https endpoint unless this deprecated-on-purpose flag is set. Never set it against a real AS.
const insecure = { [oauth.allowInsecureRequests]: true } as const;

function initialAccessToken(scope = REQUIRED_SCOPE): Promise<string> {
  return server.devIssuer!.mint({ scope });
}

async function register(metadata: Partial<oauth.OmitSymbolProperties<oauth.Client>>, token?: string): Promise<Response> {
  return oauth.dynamicClientRegistrationRequest(as, metadata, { ...insecure, initialAccessToken: token });
}

async function manage(method: 'GET' | 'PUT' | 'DELETE', uri: string, token: string, body?: unknown) {
  const response = await fetch(uri, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

async function storedItems(): Promise<Record<string, any>[]> {
  const { Items = [] } = await table.send(new ScanCommand({ TableName: server.tableName, ConsistentRead: true }));
  return Items.map((item) => unmarshall(item));
}

async function storedItem(clientId: string) {
  return (await storedItems()).find((item) => item.client_id === clientId);
}

/** Runs a request that must be refused and returns what oauth4webapi threw, checking the table did not change. */
async function refused(send: () => Promise<Response>): Promise<unknown> {
  const before = await storedItems();
  const error = await send()
    .then(oauth.processDynamicClientRegistrationResponse)
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  expect(error, 'the request should have been refused').toBeDefined();
  expect(await storedItems()).toEqual(before);
  return error;
}

describe('oauth4webapi dynamic client registration against the local server', () => {
  it('walks a client through register, read, update, read and delete, with a new registration access token each time', async () => {
    // Register (RFC 7591) through oauth4webapi
    const response = await register(
      { client_name: 'Photo Printer', redirect_uris: ['https://printer.example.com/cb'], contacts: ['ops@printer.example.com'] },
      await initialAccessToken(),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const registered = await oauth.processDynamicClientRegistrationResponse(response);
    expect(registered).toMatchObject({
      client_name: 'Photo Printer',
      redirect_uris: ['https://printer.example.com/cb'],
      contacts: ['ops@printer.example.com'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      client_secret_expires_at: 0,
    });
    expect(registered.client_id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(registered.client_secret).toEqual(expect.any(String));
    const firstToken = registered.registration_access_token as string;
    expect(firstToken).toEqual(expect.any(String));
    const clientUri = registered.registration_client_uri as string;
    expect(clientUri).toBe(`${server.url}/as/clients.oauth2/${registered.client_id}`);
    const stored = await storedItem(registered.client_id);
    expect(stored?.metadata.client_name).toBe('Photo Printer');
    expect(JSON.stringify(stored)).not.toContain(registered.client_secret as string);
    expect(JSON.stringify(stored)).not.toContain(firstToken);

    // Read (RFC 7592 §2.1): rotation is on by default, so a new token and a new secret come back
    const read = await manage('GET', clientUri, firstToken);
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.body).toMatchObject({ client_id: registered.client_id, client_name: 'Photo Printer', registration_client_uri: clientUri });
    const secondToken = read.body!.registration_access_token as string;
    expect(secondToken).toEqual(expect.any(String));
    expect(secondToken).not.toBe(firstToken);
    expect(read.body!.client_secret).toEqual(expect.any(String));
    expect(read.body!.client_secret).not.toBe(registered.client_secret);
    const oldTokenAfterRead = await manage('GET', clientUri, firstToken);
    expect(oldTokenAfterRead.status).toBe(401);
    expect(oldTokenAfterRead.body?.error).toBe('invalid_token');

    // Update (RFC 7592 §2.2): a full replacement; contacts is omitted, so it goes away
    const updated = await manage('PUT', clientUri, secondToken, {
      client_id: registered.client_id,
      client_secret: read.body!.client_secret,
      client_name: 'Photo Printer Pro',
      redirect_uris: ['https://printer.example.com/v2/cb', 'https://printer.example.com/v2/alt'],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      client_id: registered.client_id,
      client_name: 'Photo Printer Pro',
      redirect_uris: ['https://printer.example.com/v2/cb', 'https://printer.example.com/v2/alt'],
      client_id_issued_at: registered.client_id_issued_at,
    });
    expect(updated.body).not.toHaveProperty('contacts');
    expect(updated.body!.client_secret).toEqual(expect.any(String));
    expect(updated.body!.client_secret).not.toBe(read.body!.client_secret);
    const thirdToken = updated.body!.registration_access_token as string;
    expect(new Set([firstToken, secondToken, thirdToken]).size).toBe(3);
    expect((await manage('GET', clientUri, secondToken)).status).toBe(401);
    expect((await storedItem(registered.client_id))?.metadata).toMatchObject({ client_name: 'Photo Printer Pro' });

    // Read again: the replacement is what the server now holds
    const reread = await manage('GET', clientUri, thirdToken);
    expect(reread.status).toBe(200);
    expect(reread.body).toMatchObject({
      client_name: 'Photo Printer Pro',
      redirect_uris: ['https://printer.example.com/v2/cb', 'https://printer.example.com/v2/alt'],
    });
    expect(reread.body).not.toHaveProperty('contacts');
    const fourthToken = reread.body!.registration_access_token as string;
    expect(fourthToken).not.toBe(thirdToken);

    // Delete (RFC 7592 §2.3): 204, and the client is gone with its token
    const deleted = await manage('DELETE', clientUri, fourthToken);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(await storedItem(registered.client_id)).toBeUndefined();
    const afterDelete = await manage('GET', clientUri, fourthToken);
    expect(afterDelete.status).toBe(401);
    expect(afterDelete.body?.error).toBe('invalid_token');
    expect(afterDelete.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('surfaces a bad redirect URI as a ResponseBodyError with invalid_redirect_uri', async () => {
    const token = await initialAccessToken();

    const error = await refused(() => register({ redirect_uris: ['https://app.example.com/cb#fragment'] }, token));

    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    const bodyError = error as oauth.ResponseBodyError;
    expect(bodyError.status).toBe(400);
    expect(bodyError.error).toBe('invalid_redirect_uri');
    expect(bodyError.error_description).toContain('redirect_uris');
  });

  it('surfaces inconsistent metadata as a ResponseBodyError with invalid_client_metadata', async () => {
    const token = await initialAccessToken();

    const error = await refused(() =>
      register({ redirect_uris: ['https://app.example.com/cb'], grant_types: ['client_credentials'], response_types: ['code'] }, token),
    );

    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect((error as oauth.ResponseBodyError).status).toBe(400);
    expect((error as oauth.ResponseBodyError).error).toBe('invalid_client_metadata');
  });

  it('surfaces a missing initial access token as a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const error = await refused(() => register({ redirect_uris: ['https://app.example.com/cb'] }));

    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = error as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause).toEqual([{ scheme: 'bearer', parameters: {} }]);
    expect(await challenge.response.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('surfaces an initial access token signed by a stranger as an invalid_token challenge', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ scope: REQUIRED_SCOPE })
      .setProtectedHeader({ alg: 'ES256', kid: server.devIssuer!.jwks.keys[0]!.kid! })
      .setIssuer(server.devIssuer!.issuer)
      .setExpirationTime('5m')
      .sign(privateKey);

    const error = await refused(() => register({ redirect_uris: ['https://app.example.com/cb'] }, forged));

    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = error as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause).toHaveLength(1);
    expect(challenge.cause[0]).toMatchObject({
      scheme: 'bearer',
      parameters: { error: 'invalid_token', error_description: expect.stringContaining('signature') },
    });
  });

  it('surfaces an initial access token without the required scope as an insufficient_scope challenge naming the scope', async () => {
    const token = await initialAccessToken('openid profile');

    const error = await refused(() => register({ redirect_uris: ['https://app.example.com/cb'] }, token));

    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = error as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(403);
    expect(challenge.cause[0]).toMatchObject({ scheme: 'bearer', parameters: { error: 'insufficient_scope', scope: REQUIRED_SCOPE } });
  });

  it('refuses the plain-http endpoint unless allowInsecureRequests is set, before anything reaches the server', async () => {
    const token = await initialAccessToken();
    const before = await storedItems();

    const error = await oauth
      .dynamicClientRegistrationRequest(as, { redirect_uris: ['https://app.example.com/cb'] }, { initialAccessToken: token })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

    expect(error).toBeInstanceOf(oauth.OperationProcessingError);
    expect((error as oauth.OperationProcessingError).code).toBe(oauth.HTTP_REQUEST_FORBIDDEN);
    expect(await storedItems()).toEqual(before);
  });

  it('registers a private_key_jwt client with its public JWKS and issues it no secret', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'printer-1', use: 'sig', alg: 'ES256' };

    const response = await register(
      { redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } },
      await initialAccessToken(),
    );
    const registered = await oauth.processDynamicClientRegistrationResponse(response);

    expect(response.status).toBe(201);
    expect(registered.token_endpoint_auth_method).toBe('private_key_jwt');
    expect(registered.client_secret).toBeUndefined();
    expect(registered.jwks).toEqual({ keys: [jwk] });
    expect((await storedItem(registered.client_id))?.client_secret_hash).toBeUndefined();
  });
});
