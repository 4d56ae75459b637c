import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFetchWarning } from '../../infra/local/local-fetch-banner.js';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';
import { coreFromEnv } from '../../lib/runtime/core.js';
import { clientDirectoryFromEnv } from '../../lib/runtime/directory.js';
import { readEnvironment } from '../../lib/settings/environment.js';
import { type SectorServer, startSectorServer } from '../support/sector-server.js';

// Local development of fetched documents: with DCR_LOCAL_FETCH_HOSTS and DCR_LOCAL_FETCH_CA_FILE the
// local server (a separate HTTP server, called from outside) and the client directory fetch a
// sector_identifier_uri and a Client ID Metadata Document from 127.0.0.1 with a certificate made at
// test time. Outside local mode the variables stop the runtime.

let documents: SectorServer;
let local: LocalServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  documents = await startSectorServer();
  dir = mkdtempSync(join(tmpdir(), 'local-fetch-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, documents.ca);
  env = {
    DCR_LOCAL_FETCH_HOSTS: '127.0.0.1',
    DCR_LOCAL_FETCH_CA_FILE: caFile,
    DCR_REQUIRE_INITIAL_ACCESS_TOKEN: 'false',
    // registration refuses non-public hosts in the URIs the server calls unless this development setting is on
    DCR_ALLOW_NON_PUBLIC_SERVER_URIS: 'true',
    DCR_TABLE_NAME: 'local-fetch',
  };
  local = await startLocalServer({ port: 0, env });
});

afterAll(async () => {
  await local?.close();
  await documents?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('local development of fetched documents', () => {
  it('the local server fetches a sector_identifier_uri from 127.0.0.1', async () => {
    documents.documents.set('/sector.json', ['https://app.example.com/cb']);
    const response = await fetch(`${local.url}/as/clients.oauth2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], sector_identifier_uri: `${documents.origin}/sector.json` }),
    });
    expect(response.status).toBe(201);
    expect(documents.requests.map((request) => request.path)).toContain('/sector.json');
  });

  it('the client directory built from the same environment serves a Client ID Metadata Document from 127.0.0.1', async () => {
    const url = `${documents.origin}/client.json`;
    documents.documents.set('/client.json', {
      client_id: url,
      client_name: 'local',
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none',
    });
    const directory = clientDirectoryFromEnv(
      { ...env, DCR_CLIENT_ID_METADATA_DOCUMENTS: 'true' },
      {
        audience: 'https://as.example.test',
        dynamoDb: { endpoint: local.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } },
      },
    );
    expect(await directory.find(url)).toMatchObject({ clientId: url, source: 'metadata-document' });
  });

  it('is refused outside local mode (DCR_SSM_PREFIX set, as the AWS stack always does)', () => {
    expect(() => coreFromEnv({ ...env, DCR_SSM_PREFIX: '/dcr/prod/' })).toThrow(/local development only/);
    expect(() => coreFromEnv({ DCR_LOCAL_FETCH_HOSTS: 'http://127.0.0.1:8443' })).toThrow(/DCR_LOCAL_FETCH_HOSTS must be host names/);
  });

  it('the start-up banner says so loudly, and says nothing when it is off', () => {
    const warning = localFetchWarning(readEnvironment(env)).join('\n');
    expect(warning).toContain('LOCAL DEVELOPMENT OF FETCHED DOCUMENTS IS ON');
    expect(warning).toContain('127.0.0.1');
    expect(warning).toContain(env.DCR_LOCAL_FETCH_CA_FILE);
    expect(localFetchWarning(readEnvironment({}))).toEqual([]);
  });
});
