import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { DynamoDbInitialAccessTokenStore, ensureInitialAccessTokenTable } from '../../lib/store/dynamodb-initial-access-token-store.js';
import { composeInitialAccessTokenVerifiers } from '../../lib/tokens/composite-verifier.js';
import { ServiceInitialAccessTokenVerifier } from '../../lib/tokens/service-token-verifier.js';
import { expectError, REGISTRATION_PATH, sha256, useHarness } from '../support/harness.js';

// The admin tool as an operator runs it: `tsx infra/admin/main.ts` in a child process, against the
// harness's dynalite through AWS_ENDPOINT_URL_DYNAMODB (no AWS credentials: a loopback endpoint gets
// placeholders), and the tokens it prints used on the real register handler.

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TABLE = 'dcr-initial-access-tokens-cli';
const METADATA = { redirect_uris: ['https://app.example/cb'] };
const TOKEN = /dcriat_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}/;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('npm run admin -- iat (child process)', () => {
  const h = useHarness({
    initialAccessTokens: ({ jwt, dynamoDb }) =>
      composeInitialAccessTokenVerifiers({
        jwt,
        service: new ServiceInitialAccessTokenVerifier(new DynamoDbInitialAccessTokenStore(createDocumentClient(dynamoDb), TABLE)),
      }),
  });
  let raw: DynamoDBClient;
  beforeAll(async () => {
    raw = new DynamoDBClient({
      endpoint: h.dynamoDb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await ensureInitialAccessTokenTable(raw, TABLE);
  });
  afterAll(async () => {
    raw.destroy();
  });

  const admin = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        'npx',
        ['tsx', 'infra/admin/main.ts', ...args],
        {
          cwd: REPO_ROOT,
          // only what an operator's shell would hold for a local endpoint: no AWS credentials or region
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            AWS_ENDPOINT_URL_DYNAMODB: h.dynamoDb.endpoint,
            DCR_IAT_TABLE_NAME: TABLE,
            // the SDK warns on Node 20 that later versions need 22 (vitest.config.ts silences it the same way)
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const post = (token: string) => h.call('POST', REGISTRATION_PATH, { body: METADATA, token });

  it('create prints the token once; it registers as many clients as it has uses; list and revoke work by id', async () => {
    // Prepare / Act: create
    const created = await admin(
      'iat',
      'create',
      '--uses',
      '2',
      '--expires-in',
      '7d',
      '--scope',
      'dcr:register',
      '--subject',
      'team-cli',
      '--description',
      'from the CLI test',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const token = created.stdout.match(TOKEN)![0];
    const id = token.slice('dcriat_'.length, 'dcriat_'.length + 22);
    const secret = token.slice(-43);
    expect(created.stdout.match(new RegExp(TOKEN, 'g'))).toHaveLength(1);

    // Assess: stored hashed, with what the command line said
    const { Item } = await raw.send(new GetItemCommand({ TableName: TABLE, Key: { token_id: { S: id } }, ConsistentRead: true }));
    expect(unmarshall(Item!)).toMatchObject({
      secret_hash: sha256(secret),
      subject: 'team-cli',
      scope: 'dcr:register',
      description: 'from the CLI test',
      uses: 2,
      uses_left: 2,
    });

    // Act / Assess: one registration; list shows the use taken and never a secret
    expect((await post(token)).status).toBe(201);
    const listed = await admin('iat', 'list');
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(id))!;
    expect(row.split(/\s{2,}/).slice(0, 7)).toEqual([id, 'team-cli', 'dcr:register', '1/2', expect.stringMatching(/Z$/), '-', 'active']);
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toContain(sha256(secret));
    const listedJson = await admin('iat', 'list', '--json');
    expect(JSON.parse(listedJson.stdout)).toEqual([expect.objectContaining({ id, uses_left: 1, subject: 'team-cli' })]);
    expect(listedJson.stdout).not.toContain('secret_hash');

    // Act / Assess: revoke; the remaining use can no longer be taken
    const revoked = await admin('iat', 'revoke', id);
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked initial access token ${id}.\n` });
    const before = await h.items();
    const refused = await post(token);
    expectError(refused, 401, 'invalid_token');
    expect(refused.body.error_description).toMatch(/revoked/);
    expect(await h.items()).toEqual(before);
  });

  it('a usage mistake exits 2 with the reason and the usage on stderr', async () => {
    const run = await admin('iat', 'create', '--uses', '0', '--subject', 'team-cli');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --uses must be a whole number from 1/);
    expect(run.stderr).toContain('Usage: npm run admin -- iat <command> [options]');
    expect(run.stdout).toBe('');
  });

  it('a table that does not exist exits 1 with a clear message', async () => {
    const run = await admin('iat', 'list', '--table', 'no-such-table');

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the initial access token table no-such-table does not exist/);
  });
});
