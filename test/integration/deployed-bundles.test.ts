// The functions as they are deployed: each route built by infra/bundling.ts's buildFunction (esbuild's
// split build, then the chunks index.mjs imports statically merged into it) and run in a Node process
// of its own, in local mode against dynalite. The other integration tests run the TypeScript sources;
// this one catches what only the bundles can break: a merged chunk, a forwarder, a lazily loaded chunk.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction } from '../../infra/bundling.js';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../infra/local/embedded-dynamodb.js';
import { matchRoute, toProxyEvent } from '../../infra/local/proxy-event.js';
import { ROUTES, type RouteName } from '../../infra/routes.js';
import { REPO_ROOT } from '../../infra/stateless-stack.js';
import { ensureClientTable } from '../../lib/store/ensure-table.js';

const TABLE = 'deployed-bundles';
const ANSWER = 'answer: ';
const ANY_LOCAL_FILE = /(?:^|[;}\s])(?:import|export)\s*(?:[\w${},\s*]+from\s*)?["']\.\//;

// reads one request per line ({route, event}) and answers with the handler's result, one line each,
// marked apart from the log lines the functions write to standard output
const RUNNER = `
import { createInterface } from 'node:readline';
const dir = process.argv[1];
const handlers = {};
for await (const line of createInterface({ input: process.stdin })) {
  const { route, event } = JSON.parse(line);
  handlers[route] ??= (await import(dir + '/' + route + '/index.mjs')).handler;
  process.stdout.write('${ANSWER}' + JSON.stringify(await handlers[route](event)) + '\\n');
}`;

let work: string;
let dynamoDb: EmbeddedDynamoDb;
let child: ChildProcessWithoutNullStreams;
let answers: Interface;
let logs = '';

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'dcr-bundles-'));
  for (const route of ROUTES) buildFunction(REPO_ROOT, route.entry, path.join(work, route.name));
  dynamoDb = await startEmbeddedDynamoDb();
  const client = new DynamoDBClient({
    endpoint: dynamoDb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureClientTable(client, TABLE);
  client.destroy();
  child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER, pathToFileURL(work).href], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DCR_TABLE_NAME: TABLE,
      DCR_REGISTRATION_ENABLED: 'true',
      DCR_MANAGEMENT_ENABLED: 'true',
      DCR_REQUIRE_INITIAL_ACCESS_TOKEN: 'false',
      // a policy and a cap: the policy pipeline and the cap counters are chunks loaded on first need
      DCR_REGISTRATION_POLICIES: JSON.stringify({
        anonymous: [{ policy: 'grant-types', allowed: ['authorization_code'] }],
        caps: { total: 100 },
      }),
    },
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    logs += chunk;
  });
  answers = createInterface({ input: child.stdout });
}, 60_000);

afterAll(async () => {
  child?.kill();
  await dynamoDb?.close();
  rmSync(work, { recursive: true, force: true });
});

const pending: ((line: string) => void)[] = [];
let listening = false;
function nextAnswer(): Promise<string> {
  if (!listening) {
    listening = true;
    answers.on('line', (line) => {
      if (line.startsWith(ANSWER)) pending.shift()?.(line.slice(ANSWER.length));
      else logs += `${line}\n`;
    });
  }
  return new Promise((resolve, reject) => {
    pending.push(resolve);
    child.once('exit', (code) => reject(new Error(`the bundle runner stopped (${code}): ${logs}`)));
  });
}

async function call(method: string, urlPath: string, options: { body?: unknown; token?: string } = {}) {
  const match = matchRoute(method, urlPath);
  if (match.kind !== 'route') throw new Error(`no route for ${method} ${urlPath}`);
  const headers: Record<string, string> = { host: 'dcr.example.test' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const event = toProxyEvent(
    { method, path: urlPath, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) },
    match.route,
    match.pathParameters,
  );
  const answer = nextAnswer();
  child.stdin.write(`${JSON.stringify({ route: match.route.name satisfies RouteName, event })}\n`);
  const result = JSON.parse(await answer) as APIGatewayProxyResult;
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
}

describe('the deployed bundles', () => {
  it('load one file at a cold start: index.mjs imports nothing of its own directory', () => {
    for (const route of ROUTES) {
      const dir = path.join(work, route.name);
      expect(readFileSync(path.join(dir, 'index.mjs'), 'utf8')).not.toMatch(ANY_LOCAL_FILE);
      // the lazily loaded chunks are still there, beside it
      expect(readdirSync(dir).filter((file) => file.startsWith('kms-secret-sealer-'))).toHaveLength(1);
    }
  });

  it('register, read, update and delete a client, through the chunks loaded on first need', async () => {
    const metadata = { redirect_uris: ['https://app.example.com/cb'], client_name: 'Bundled', grant_types: ['authorization_code'] };
    const created = await call('POST', '/as/clients.oauth2', { body: metadata });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ client_name: 'Bundled', redirect_uris: metadata.redirect_uris });
    const clientId = created.body.client_id;
    const clientPath = `/as/clients.oauth2/${clientId}`;

    // the grant-types policy of the lazily loaded pipeline refuses, and nothing is stored
    const refused = await call('POST', '/as/clients.oauth2', { body: { ...metadata, grant_types: ['client_credentials'] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_client_metadata');

    // read and update rotate the registration access token (the default settings)
    const read = await call('GET', clientPath, { token: created.body.registration_access_token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ client_id: clientId, client_name: 'Bundled' });

    const updated = await call('PUT', clientPath, {
      token: read.body.registration_access_token,
      body: { ...metadata, client_id: clientId, client_name: 'Renamed' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.client_name).toBe('Renamed');

    const token = updated.body.registration_access_token;
    expect((await call('DELETE', clientPath, { token })).status).toBe(204);
    expect((await call('GET', clientPath, { token })).status).toBe(401);
    expect(logs).not.toMatch(/"level":"error"/);
  }, 60_000);
});
