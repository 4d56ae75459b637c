import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClientDirectory } from '../../lib/directory/client-directory.js';
import { createDocumentFetcher } from '../../lib/metadata/https-document-fetcher.js';
import { createClientDirectory } from '../../lib/runtime/directory.js';
import type { Settings } from '../../lib/settings/catalog.js';
import { HARNESS_SETTINGS, type Harness, startHarness } from '../support/harness.js';
import { SECTOR_HOST_NAME, type SectorServer, startSectorServer } from '../support/sector-server.js';

// Client ID Metadata Documents through the client directory: documents served by a local HTTPS
// server with a certificate made at test time, under a host name the test resolves to 127.0.0.1.

let h: Harness;
let server: SectorServer;
let settings: Settings;
let now = Date.now();
let paths = 0;

const ON: Settings = { ...HARNESS_SETTINGS, clientIdMetadataDocumentsEnabled: true };

beforeAll(async () => {
  h = await startHarness();
  server = await startSectorServer();
});

afterAll(async () => {
  await server?.close();
  await h?.close();
});

beforeEach(() => {
  settings = ON;
  now = Date.now();
});

/** A new directory (an empty memory cache: what another container sees). */
function directory(): ClientDirectory {
  return createClientDirectory({
    tableName: h.tableName,
    dynamoDb: h.dynamoDbConfig,
    audience: 'https://as.example.test',
    settings: { current: async () => settings },
    documentFetcher: createDocumentFetcher({ allowAddresses: ['127.0.0.1'], ca: server.ca, resolve: async () => ['127.0.0.1'] }),
    now: () => now,
  });
}

/** Serves a document at a new path whose client_id is its own URL; returns the URL. */
function serve(members: Record<string, unknown> = {}, headers?: Record<string, string>): string {
  const path = `/clients/${++paths}.json`;
  const url = `https://${SECTOR_HOST_NAME}:${server.port}${path}`;
  server.documents.set(path, {
    client_id: url,
    client_name: 'Example MCP Client',
    redirect_uris: ['http://127.0.0.1/callback', 'https://app.example.com/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    ...members,
  });
  if (headers) server.headers.set(path, headers);
  return url;
}

const fetches = (url: string) => server.requests.filter((request) => url.endsWith(request.path)).length;

describe('Client ID Metadata Documents', () => {
  it('are off by default: nothing is fetched', async () => {
    settings = HARNESS_SETTINGS;
    const url = serve();
    expect(await directory().find(url)).toBeUndefined();
    expect(fetches(url)).toBe(0);
  });

  it('a valid document is a client: validated with defaults, cached in memory and in the table', async () => {
    const url = serve({ logo_uri: 'https://app.example.com/logo.png', resource: 'https://mcp.example.com' });
    const first = directory();
    const client = await first.find(url);
    expect(client).toEqual({
      clientId: url,
      source: 'metadata-document',
      issuedAt: Math.floor(now / 1000),
      metadata: expect.objectContaining({ client_name: 'Example MCP Client', token_endpoint_auth_method: 'none', subject_type: 'public' }),
    });
    expect(client!.metadata.resource).toBeUndefined();
    expect(await first.find(url)).toEqual(client);
    expect(await directory().find(url)).toEqual(client); // another container: from the table
    expect(fetches(url)).toBe(1);
    const item = await h.item(`#cimd#${url}`);
    expect(item).toMatchObject({ fresh_until: Math.floor(now / 1000) + 300, stale_until: Math.floor(now / 1000) + 300 + 3600 });
    expect(item!.idle_expires_at).toBe(item!.stale_until);
  });

  it('without client_id = its URL, with a secret or a shared-secret method, it is no client, and the failure is not cached', async () => {
    const wrongId = serve({ client_id: 'https://elsewhere.example/client.json' });
    const withSecret = serve({ client_secret: 'x' });
    const secretMethod = serve({ token_endpoint_auth_method: 'client_secret_post' });
    const hmac = serve({
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'HS256',
      jwks_uri: 'https://app.example.com/jwks',
    });
    const invalid = serve({ redirect_uris: ['javascript:alert(1)'] });
    const d = directory();
    for (const url of [wrongId, withSecret, secretMethod, hmac, invalid]) expect(await d.find(url)).toBeUndefined();
    // fixed by its owner: found at once (nothing of the failure was kept)
    server.documents.set(new URL(invalid).pathname, {
      ...(server.documents.get(new URL(invalid).pathname) as object),
      redirect_uris: ['https://app.example.com/cb'],
    });
    expect(await d.find(invalid)).toMatchObject({ clientId: invalid });
    expect(await h.item(`#cimd#${wrongId}`)).toBeUndefined();
  });

  it('refuses URLs the draft does not allow, without fetching', async () => {
    const base = `https://${SECTOR_HOST_NAME}:${server.port}`;
    const d = directory();
    for (const url of [
      `http://${SECTOR_HOST_NAME}:${server.port}/c.json`,
      `${base}/`,
      `${base}/c.json#x`,
      `${base}/a/../c.json`,
      `https://u:p@${SECTOR_HOST_NAME}:${server.port}/c.json`,
      `${base}/%7e/../c`,
    ]) {
      expect(await d.find(url)).toBeUndefined();
    }
    expect(server.requests.filter((request) => request.path.startsWith('/c.json') || request.path === '/')).toEqual([]);
  });

  it('honours the allow-list of document hosts', async () => {
    const url = serve();
    settings = { ...ON, clientIdMetadataDocumentHosts: ['.other.example'] };
    expect(await directory().find(url)).toBeUndefined();
    expect(fetches(url)).toBe(0);
    settings = { ...ON, clientIdMetadataDocumentHosts: ['.example.test'] };
    expect(await directory().find(url)).toMatchObject({ clientId: url });
  });

  it('runs the anonymous registration policies on the document', async () => {
    settings = { ...ON, registrationPolicies: JSON.stringify({ anonymous: [{ policy: 'grant-types', allowed: ['authorization_code'] }] }) };
    expect(await directory().find(serve())).toBeUndefined(); // refresh_token is not allowed
    expect(await directory().find(serve({ grant_types: ['authorization_code'] }))).toMatchObject({ source: 'metadata-document' });
  });

  it('is refetched after its max-age; when the refetch fails the last good copy is served for a bounded time', async () => {
    const url = serve({}, { 'cache-control': 'public, max-age=60' });
    const d = directory();
    expect(await d.find(url)).toBeDefined();
    now += 30_000;
    expect(await d.find(url)).toBeDefined();
    expect(fetches(url)).toBe(1);
    now += 31_000;
    server.documents.delete(new URL(url).pathname); // now 404
    expect(await d.find(url)).toMatchObject({ clientId: url });
    expect(fetches(url)).toBe(2);
    now += 3_600_000;
    expect(await d.find(url)).toBeUndefined();
  });

  it('no-store is used for one request and never cached; a max-age above a day is capped', async () => {
    const uncached = serve({}, { 'cache-control': 'no-store' });
    const d = directory();
    expect(await d.find(uncached)).toBeDefined();
    expect(await d.find(uncached)).toBeDefined();
    expect(fetches(uncached)).toBe(2);
    expect(await h.item(`#cimd#${uncached}`)).toBeUndefined();
    const long = serve({}, { 'cache-control': 'max-age=31536000' });
    await d.find(long);
    expect((await h.item(`#cimd#${long}`))?.fresh_until).toBe(Math.floor(now / 1000) + 86_400);
  });

  it('a document client authenticates with none, and its redirect URIs match by the same rules', async () => {
    const url = serve();
    const d = directory();
    expect(await d.authenticate({ parameters: { client_id: url } })).toMatchObject({ method: 'none', client: { clientId: url } });
    const client = (await d.find(url))!;
    expect(d.matchRedirectUri(client, 'http://127.0.0.1:49152/callback')).toBe(true);
    expect(d.matchRedirectUri(client, 'https://app.example.com/callback/x')).toBe(false);
  });
});
