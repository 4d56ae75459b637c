import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInitialAccessToken } from '../../infra/admin/iat-commands.js';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { DynamoDbInitialAccessTokenStore } from '../../lib/store/dynamodb-initial-access-token-store.js';

// `npm start` accepts tokens of this service out of the box: the local server creates the token table
// (default dcr-initial-access-tokens) next to the client table and wires it into the runtime from
// the environment, alongside its development issuer.

const REGISTRATION_PATH = '/as/clients.oauth2';
const DEFAULT_TABLE = 'dcr-initial-access-tokens';
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

describe('local server and tokens of this service', () => {
  let server: LocalServer;
  beforeAll(async () => {
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      server = await startLocalServer({ port: 0, env: { DCR_TABLE_NAME: 'clients-iat-local' } });
    } finally {
      quiet.mockRestore();
    }
  });
  afterAll(async () => {
    await server.close();
  });

  const post = async (token: string) => {
    const response = await fetch(`${server.url}${REGISTRATION_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] }),
    });
    return { status: response.status, body: (await response.json()) as { error?: string } };
  };

  it('creates the token table and accepts a token made with the admin tool, once per use', async () => {
    const raw = new DynamoDBClient({ endpoint: server.dynamoDbEndpoint, ...LOCAL });
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: DEFAULT_TABLE }));
    raw.destroy();
    const documents = createDocumentClient({ endpoint: server.dynamoDbEndpoint, ...LOCAL });
    const { token } = await createInitialAccessToken(new DynamoDbInitialAccessTokenStore(documents, DEFAULT_TABLE), {
      subject: 'local-team',
      scopes: ['dcr:register'],
      uses: 1,
      expiresInSeconds: 600,
    });
    documents.destroy();

    const first = await post(token);
    const second = await post(token);

    expect(Table?.KeySchema).toEqual([{ AttributeName: 'token_id', KeyType: 'HASH' }]);
    expect(first.status).toBe(201);
    expect({ status: second.status, error: second.body.error }).toEqual({ status: 401, error: 'invalid_token' });
  });

  it('still accepts JWTs of its development issuer', async () => {
    const res = await post(await server.devIssuer!.mint({ scope: 'dcr:register' }));

    expect(res.status).toBe(201);
  });
});
