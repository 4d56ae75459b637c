import { describe, expect, it } from 'vitest';
import { type ClientAdmin, runClientAdmin } from '../../infra/admin/client-commands.js';
import { DynamoDbClientAdminStore } from '../../lib/store/dynamodb-client-listing.js';
import { DynamoDbClientQuota } from '../../lib/store/dynamodb-client-quota.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { LocalSecretSealer } from '../../lib/tokens/secret-sealer.js';
import { systemRandom } from '../../lib/tokens/secrets.js';
import { clientPath, expectError, sha256, useHarness } from '../support/harness.js';

// `npm run admin -- clients ...` against the embedded DynamoDB, on clients registered through the
// real handlers; what it prints, what it stores, and what the management endpoints then answer.

const TABLE = 'dcr-clients-test';
const REDIRECT = 'https://app.example/cb';

describe('npm run admin -- clients', () => {
  const h = useHarness({ settings: { rotateClientSecret: false, rotateRegistrationAccessToken: false } });

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const documents = createDocumentClient({
      endpoint: h.dynamoDb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const admin: ClientAdmin = {
      store: new DynamoDbClientAdminStore(documents, TABLE),
      quota: new DynamoDbClientQuota(documents, TABLE),
      sealer: new LocalSecretSealer(LocalSecretSealer.generateKey()),
      now: Date.now,
      random: systemRandom,
    };
    const code = await runClientAdmin(['clients', ...argv], {
      env: { DCR_TABLE_NAME: TABLE },
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      openClients: () => ({ admin, close: () => documents.destroy() }),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const registerAs = async (sub: string, metadata: Record<string, unknown> = {}) => {
    const res = await h.call('POST', '/as/clients.oauth2', {
      body: { redirect_uris: [REDIRECT], ...metadata },
      token: await h.initialAccessToken({ sub }),
    });
    expect(res.status).toBe(201);
    return res;
  };

  it('list pages through clients and filters by registering subject and software_id; --json for scripts; never a hash', async () => {
    const mine = [
      await registerAs('team-list', { software_id: 'tool-a', client_name: 'A1' }),
      await registerAs('team-list', { software_id: 'tool-b', client_name: 'B1' }),
      await registerAs('team-list', { software_id: 'tool-a', client_name: 'A2' }),
    ];
    await registerAs('team-other', { software_id: 'tool-a' });

    const seen: string[] = [];
    let next: string | undefined;
    for (let page = 0; page < 5; page++) {
      const listed = await run('list', '--subject', 'team-list', '--limit', '2', '--json', ...(next ? ['--next', next] : []));
      expect(listed.code).toBe(0);
      const body = JSON.parse(listed.out) as { clients: { client_id: string }[]; next: string | null };
      seen.push(...body.clients.map((client) => client.client_id));
      next = body.next ?? undefined;
      if (!next) break;
    }
    const toolA = JSON.parse((await run('list', '--subject', 'team-list', '--software-id', 'tool-a', '--json')).out);
    const table = await run('list', '--subject', 'team-list');

    expect(seen.sort()).toEqual(mine.map((res) => res.body.client_id).sort());
    expect(toolA.clients.map((client: { client_name: string }) => client.client_name).sort()).toEqual(['A1', 'A2']);
    expect(table.out).toContain('CLIENT_ID');
    expect(table.out).toContain(mine[0]!.body.client_id);
    for (const res of mine) {
      expect(table.out + JSON.stringify(toolA)).not.toContain(sha256(res.body.client_secret));
      expect(table.out + JSON.stringify(toolA)).not.toContain(res.body.client_secret);
    }
  });

  it('show prints one client; an unknown id exits 1', async () => {
    const client = await registerAs('team-show', { client_name: 'Shown' });

    const shown = await run('show', client.body.client_id, '--json');
    const missing = await run('show', 'no-such-client');

    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({
      client_id: client.body.client_id,
      client_name: 'Shown',
      registered_by: 'team-show',
      disabled: false,
    });
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('no client with id no-such-client') });
  });

  it('disable: management calls answer 403 and the item says so; enable undoes it', async () => {
    const client = await registerAs('team-disable');
    const token = client.body.registration_access_token;

    const disabled = await run('disable', client.body.client_id);
    const refused = await h.call('GET', clientPath(client.body.client_id), { token });
    const item = await h.item(client.body.client_id);
    const enabled = await run('enable', client.body.client_id);
    const allowed = await h.call('GET', clientPath(client.body.client_id), { token });

    expect(disabled).toMatchObject({ code: 0, out: `Disabled client ${client.body.client_id}.` });
    expectError(refused, 403, 'access_denied');
    expect(item).toMatchObject({ disabled: true, last_request_id: expect.stringMatching(/^admin-/) });
    expect(enabled.code).toBe(0);
    expect(allowed.status).toBe(200);
    expect(await h.item(client.body.client_id)).not.toHaveProperty('disabled');
  });

  it('rotate-secret prints the new secret once and can retain the old one; the hash is stored', async () => {
    const client = await registerAs('team-rotate');

    const rotated = await run('rotate-secret', client.body.client_id, '--retain', '1h', '--json');

    expect(rotated.code).toBe(0);
    const body = JSON.parse(rotated.out);
    const item = await h.item(client.body.client_id);
    expect(item?.client_secret_hash).toBe(sha256(body.client_secret));
    expect(item?.previous_client_secret_hash).toBe(sha256(client.body.client_secret));
    expect(item?.previous_client_secret_valid_until).toBeGreaterThan(Math.floor(Date.now() / 1000) + 3500);
    expect(body.previous_secret_valid_until).toEqual(expect.any(String));
  });

  it('rotate-secret of a client without a secret is a usage error (exit 2)', async () => {
    const client = await registerAs('team-none', { token_endpoint_auth_method: 'none' });

    const refused = await run('rotate-secret', client.body.client_id);

    expect(refused.code).toBe(2);
    expect(refused.err).toContain('has no secret');
  });

  it('delete removes the client; its token then gets 401', async () => {
    const client = await registerAs('team-delete');

    const deleted = await run('delete', client.body.client_id);
    const after = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });
    const again = await run('delete', client.body.client_id);

    expect(deleted).toMatchObject({ code: 0, out: `Deleted client ${client.body.client_id}.` });
    expectError(after, 401, 'invalid_token');
    expect(again.code).toBe(1);
  });

  it('a usage mistake exits 2 with the usage', async () => {
    const unknown = await run('frobnicate');
    const noId = await run('show');
    const badLimit = await run('list', '--limit', '0');

    for (const result of [unknown, noId, badLimit]) {
      expect(result.code).toBe(2);
      expect(result.err).toContain('Usage: npm run admin -- clients');
    }
  });
});
