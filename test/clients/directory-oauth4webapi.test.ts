import { exchangeAuthorization, registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentFetcher } from '../../lib/metadata/https-document-fetcher.js';
import { createClientDirectory } from '../../lib/runtime/directory.js';
import { BASE_URL, clientPath, type Harness, REGISTRATION_PATH, startHarness } from '../support/harness.js';
import { MCP_CLIENT_REGISTRATIONS } from '../support/mcp-fixtures.js';
import { mtlsFetch } from '../support/mtls-fetch.js';
import { makeCertificate, SECTOR_HOST_NAME, type SectorServer, startSectorServer } from '../support/sector-server.js';
import { startTokenEndpoint, TEST_AUTHORIZATION_CODE, type TokenEndpoint } from '../support/token-endpoint.js';

// End to end: clients registered through the real handlers (embedded DynamoDB) authenticate with
// oauth4webapi's client authentication, for every method, at a minimal token endpoint built on the
// client directory (test/support/token-endpoint.ts). The token endpoint is HTTPS with mutual TLS,
// so the same endpoint serves tls_client_auth.

let h: Harness;
let endpoint: TokenEndpoint;
let keys: SectorServer;
let as: oauth.AuthorizationServer;
const serverTls = makeCertificate({ subject: '/CN=token endpoint test', subjectAltName: 'subjectAltName=IP:127.0.0.1' });
const clientTls = makeCertificate({
  subject: '/O=Example/CN=directory test client',
  subjectAltName: 'subjectAltName=DNS:client.example.test',
});
// oauth4webapi calls the endpoint through this fetch: it trusts the test server and presents the client certificate
const options = { [oauth.customFetch]: mtlsFetch({ ca: serverTls.cert, ...clientTls }) } as const;

beforeAll(async () => {
  h = await startHarness();
  keys = await startSectorServer();
  endpoint = await startTokenEndpoint(
    ({ issuer, tokenEndpoint }) =>
      createClientDirectory({
        tableName: h.tableName,
        dynamoDb: h.dynamoDbConfig,
        secretSealer: h.secretSealer,
        audience: [issuer, tokenEndpoint],
        // Client ID Metadata Documents on (the registration routes do not read this setting)
        settings: { current: async () => ({ ...h.settings, clientIdMetadataDocumentsEnabled: true }) },
        // jwks_uri documents come from the local key server, whose name the test resolves to 127.0.0.1
        documentFetcher: createDocumentFetcher({ allowAddresses: ['127.0.0.1'], ca: keys.ca, resolve: async () => ['127.0.0.1'] }),
      }),
    { tls: serverTls },
  );
  as = { issuer: endpoint.issuer, token_endpoint: endpoint.tokenEndpoint };
});

afterAll(async () => {
  await endpoint?.close();
  await keys?.close();
  await h?.close();
});

const CLIENT_CREDENTIALS = { grant_types: ['client_credentials'], response_types: [] };

async function registered(metadata: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await h.register({ client_name: 'directory test', ...metadata });
  expect(answer.status).toBe(201);
  return answer.body;
}

async function clientCredentials(clientId: string, auth: oauth.ClientAuth): Promise<oauth.TokenEndpointResponse> {
  const response = await oauth.clientCredentialsGrantRequest(as, { client_id: clientId }, auth, new URLSearchParams(), options);
  return oauth.processClientCredentialsResponse(as, { client_id: clientId }, response);
}

/** What oauth4webapi throws for a refused authentication, and the reason the token endpoint logged. */
async function refusedWith(clientId: string, auth: oauth.ClientAuth): Promise<{ error: string; status: number; reason: string }> {
  const before = endpoint.refusals.length;
  const error = await clientCredentials(clientId, auth).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  const reason = endpoint.refusals.slice(before).join('; ');
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // a refused Basic client is challenged (RFC 6749 §5.2); the body still says invalid_client
    expect(error.cause[0]?.scheme).toBe('basic');
    return { error: ((await error.response.json()) as { error: string }).error, status: error.status, reason };
  }
  expect(error).toBeInstanceOf(oauth.ResponseBodyError);
  const { error: code, status } = error as oauth.ResponseBodyError;
  return { error: code, status, reason };
}

describe('every token_endpoint_auth_method through oauth4webapi', () => {
  it('client_secret_basic: a token with the registered secret; the reason is logged for a wrong one', async () => {
    const client = await registered({ ...CLIENT_CREDENTIALS, token_endpoint_auth_method: 'client_secret_basic' });
    const token = await clientCredentials(client.client_id, oauth.ClientSecretBasic(client.client_secret));
    expect(token.token_type).toBe('bearer');
    expect(token.client_id).toBe(client.client_id);
    expect(await refusedWith(client.client_id, oauth.ClientSecretBasic(`${client.client_secret}x`))).toEqual({
      error: 'invalid_client',
      status: 401,
      reason: 'the client secret is wrong',
    });
  });

  it('client_secret_post: a token; the secret of another method is refused', async () => {
    const client = await registered({ ...CLIENT_CREDENTIALS, token_endpoint_auth_method: 'client_secret_post' });
    expect((await clientCredentials(client.client_id, oauth.ClientSecretPost(client.client_secret))).access_token).toEqual(
      expect.any(String),
    );
    const basic = await refusedWith(client.client_id, oauth.ClientSecretBasic(client.client_secret));
    expect(basic.reason).toBe('the client is registered for client_secret_post, the request used client_secret_basic');
  });

  it('client_secret_jwt: the sealed secret is opened to check the HMAC; a replayed assertion is refused', async () => {
    const client = await registered({ ...CLIENT_CREDENTIALS, token_endpoint_auth_method: 'client_secret_jwt' });
    expect((await clientCredentials(client.client_id, oauth.ClientSecretJwt(client.client_secret))).access_token).toEqual(
      expect.any(String),
    );
    expect((await refusedWith(client.client_id, oauth.ClientSecretJwt('not-the-secret'))).reason).toBe(
      'the client assertion was refused: the signature does not verify',
    );

    // one assertion, sent twice: the jti is single use
    const assertion = await new SignJWT({ jti: 'only-once' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(endpoint.issuer)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(client.client_secret));
    const send = () =>
      options[oauth.customFetch](endpoint.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }).toString(),
      });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect({ status: replay.status, body: await replay.json() }).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(endpoint.refusals.at(-1)).toBe('the client assertion was used before (jti replay)');
  });

  it('private_key_jwt with a registered jwks; a key the client did not register is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const client = await registered({
      ...CLIENT_CREDENTIALS,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] },
    });
    expect(client.client_secret).toBeUndefined();
    expect((await clientCredentials(client.client_id, oauth.PrivateKeyJwt({ key: privateKey, kid: 'k1' }))).access_token).toEqual(
      expect.any(String),
    );
    const other = await generateKeyPair('ES256');
    expect((await refusedWith(client.client_id, oauth.PrivateKeyJwt({ key: other.privateKey, kid: 'k1' }))).reason).toBe(
      'the client assertion was refused: the signature does not verify',
    );
  });

  it('private_key_jwt with a jwks_uri, fetched through the SSRF-guarded fetcher and cached; a rotated key is refetched', async () => {
    const first = await generateKeyPair('RS256');
    keys.documents.set('/jwks-rotating', { keys: [{ ...(await exportJWK(first.publicKey)), kid: 'a' }] });
    const client = await registered({
      ...CLIENT_CREDENTIALS,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: `https://${SECTOR_HOST_NAME}:${keys.port}/jwks-rotating`,
    });
    const fetches = () => keys.requests.filter((request) => request.path === '/jwks-rotating').length;
    await clientCredentials(client.client_id, oauth.PrivateKeyJwt({ key: first.privateKey, kid: 'a' }));
    await clientCredentials(client.client_id, oauth.PrivateKeyJwt({ key: first.privateKey, kid: 'a' }));
    expect(fetches()).toBe(1);
  });

  it('none: a public client gets a token for an authorization code with its redirect URI, on any loopback port when native', async () => {
    const client = await registered({
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback'],
    });
    const exchange = (redirectUri: string) =>
      oauth
        .authorizationCodeGrantRequest(
          as,
          { client_id: client.client_id },
          oauth.None(),
          oauth.validateAuthResponse(
            as,
            { client_id: client.client_id },
            new URLSearchParams({ code: TEST_AUTHORIZATION_CODE }),
            oauth.skipStateCheck,
          ),
          redirectUri,
          'a-code-verifier-of-enough-length-0123456789abcdef',
          options,
        )
        .then((response) => oauth.processAuthorizationCodeResponse(as, { client_id: client.client_id }, response));
    expect((await exchange('http://127.0.0.1:54321/callback')).access_token).toEqual(expect.any(String));
    await expect(exchange('http://127.0.0.1:54321/elsewhere')).rejects.toMatchObject({ error: 'invalid_grant' });
    // a public client cannot pretend to be confidential
    expect((await refusedWith(client.client_id, oauth.ClientSecretPost('guess'))).reason).toBe(
      'the client is registered for none, the request used client_secret_post',
    );
  });

  it('tls_client_auth: the certificate subject must be the registered DN', async () => {
    const client = await registered({
      ...CLIENT_CREDENTIALS,
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=directory test client,O=Example',
    });
    expect((await clientCredentials(client.client_id, oauth.TlsClientAuth())).access_token).toEqual(expect.any(String));
    const other = await registered({
      ...CLIENT_CREDENTIALS,
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=someone else,O=Example',
    });
    expect((await refusedWith(other.client_id, oauth.TlsClientAuth())).reason).toBe(
      'the client certificate subject is not the registered tls_client_auth_subject_dn',
    );
  });
});

describe('what the directory sees of the registration lifecycle', () => {
  it('a deleted client can no longer get a token', async () => {
    const client = await registered({ ...CLIENT_CREDENTIALS, token_endpoint_auth_method: 'client_secret_post' });
    await clientCredentials(client.client_id, oauth.ClientSecretPost(client.client_secret));
    expect((await h.call('DELETE', clientPath(client.client_id), { token: client.registration_access_token })).status).toBe(204);
    expect(await refusedWith(client.client_id, oauth.ClientSecretPost(client.client_secret))).toEqual({
      error: 'invalid_client',
      status: 401,
      reason: 'no such client (unknown, deleted, or not allowed)',
    });
  });

  it('a rotated-away secret no longer works; the new one does', async () => {
    const client = await registered({ ...CLIENT_CREDENTIALS, token_endpoint_auth_method: 'client_secret_basic' });
    const read = await h.call('GET', clientPath(client.client_id), { token: client.registration_access_token });
    expect(read.body.client_secret).not.toBe(client.client_secret);
    expect((await refusedWith(client.client_id, oauth.ClientSecretBasic(client.client_secret))).reason).toBe('the client secret is wrong');
    expect((await clientCredentials(client.client_id, oauth.ClientSecretBasic(read.body.client_secret))).access_token).toEqual(
      expect.any(String),
    );
  });
});

describe('clients identified by the URL of their metadata document', () => {
  it('oauth4webapi: a public client whose client_id is its document URL exchanges a code', async () => {
    const clientId = `https://${SECTOR_HOST_NAME}:${keys.port}/oauth/client-metadata.json`;
    keys.documents.set('/oauth/client-metadata.json', {
      client_id: clientId,
      client_name: 'document client',
      redirect_uris: ['http://127.0.0.1/callback'],
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    const client = { client_id: clientId };
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      oauth.validateAuthResponse(as, client, new URLSearchParams({ code: TEST_AUTHORIZATION_CODE }), oauth.skipStateCheck),
      'http://127.0.0.1:61000/callback',
      'a-code-verifier-of-enough-length-0123456789abcdef',
      options,
    );
    expect((await oauth.processAuthorizationCodeResponse(as, client, response)).client_id).toBe(clientId);
  });
});

describe('the MCP TypeScript SDK', () => {
  // what the authorization server in front of this service advertises (docs/directory.md)
  const metadata = (): OAuthMetadata => ({
    issuer: endpoint.issuer,
    authorization_endpoint: `${endpoint.issuer}/authorize`,
    token_endpoint: endpoint.tokenEndpoint,
    registration_endpoint: `${BASE_URL}${REGISTRATION_PATH}`,
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    client_id_metadata_document_supported: true,
  });

  it('registerClient, then exchangeAuthorization at a token endpoint on the directory', async () => {
    const sdk = MCP_CLIENT_REGISTRATIONS.find((fixture) => fixture.name === 'MCP TypeScript SDK')!.body;
    // registerClient posts to the registration handler of this service (through the test harness)
    let registrationAccessToken = '';
    const registration = await registerClient(BASE_URL, {
      metadata: { ...metadata(), issuer: BASE_URL, authorization_endpoint: `${BASE_URL}/authorize`, token_endpoint: `${BASE_URL}/token` },
      clientMetadata: sdk as never,
      fetchFn: async (_url, init) => {
        const answer = await h.call('POST', REGISTRATION_PATH, {
          body: JSON.parse(String(init?.body)),
          token: await h.initialAccessToken(),
        });
        // the SDK never uses RFC 7592, so its parsed answer does not keep the token: the test does
        registrationAccessToken = answer.body.registration_access_token;
        return new Response(answer.rawBody, { status: answer.status, headers: answer.headers });
      },
    });
    expect(registration.token_endpoint_auth_method).toBe('client_secret_post');
    const tokens = await exchangeAuthorization(endpoint.issuer, {
      metadata: metadata(),
      clientInformation: registration,
      authorizationCode: TEST_AUTHORIZATION_CODE,
      codeVerifier: 'a-code-verifier-of-enough-length-0123456789abcdef',
      redirectUri: 'http://localhost:3000/callback',
      fetchFn: options[oauth.customFetch] as never,
    });
    expect(tokens.access_token).toEqual(expect.any(String));

    // deleted: the SDK's next exchange is refused with invalid_client
    expect(
      (
        await h.call('DELETE', clientPath(registration.client_id), {
          token: registrationAccessToken,
        })
      ).status,
    ).toBe(204);
    await expect(
      exchangeAuthorization(endpoint.issuer, {
        metadata: metadata(),
        clientInformation: registration,
        authorizationCode: TEST_AUTHORIZATION_CODE,
        codeVerifier: 'a-code-verifier-of-enough-length-0123456789abcdef',
        redirectUri: 'http://localhost:3000/callback',
        fetchFn: options[oauth.customFetch] as never,
      }),
    ).rejects.toMatchObject({ errorCode: 'invalid_client' });
  });

  it('exchangeAuthorization for a client identified by its metadata document URL', async () => {
    const clientId = `https://${SECTOR_HOST_NAME}:${keys.port}/mcp/client.json`;
    keys.documents.set('/mcp/client.json', {
      client_id: clientId,
      client_name: 'MCP document client',
      redirect_uris: ['http://localhost:3000/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
    const tokens = await exchangeAuthorization(endpoint.issuer, {
      metadata: metadata(),
      clientInformation: { client_id: clientId },
      authorizationCode: TEST_AUTHORIZATION_CODE,
      codeVerifier: 'a-code-verifier-of-enough-length-0123456789abcdef',
      redirectUri: 'http://localhost:3000/callback',
      fetchFn: options[oauth.customFetch] as never,
    });
    expect(tokens.access_token).toEqual(expect.any(String));
  });
});
