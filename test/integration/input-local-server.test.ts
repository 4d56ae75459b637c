import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';
import { type RawAnswer, rawRequest } from '../support/raw-http.js';

// Issue 8, item 5: the local server answers any request target with JSON, a malformed
// percent-escape included (it was a 500 from decodeURIComponent).

const REGISTRATION_PATH = '/as/clients.oauth2';

describe('request paths through the local server', () => {
  let server: LocalServer;
  let port: number;
  let items: () => Promise<Record<string, unknown>[]>;
  beforeAll(async () => {
    server = await startLocalServer({ host: '127.0.0.1', port: 0, env: { DCR_TABLE_NAME: 'clients-input-paths' } });
    port = Number(new URL(server.url).port);
    const client = new DynamoDBClient({
      endpoint: server.dynamoDbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    items = async () => ((await client.send(new ScanCommand({ TableName: server.tableName }))).Items ?? []).map((item) => unmarshall(item));
  });
  afterAll(async () => {
    await server?.close();
  });

  const expectJsonError = (answer: RawAnswer, status: number, error: string) => {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error, error_description: expect.any(String) });
  };

  it.each(['GET', 'PUT', 'DELETE'])('%s with a malformed percent-escape in the client id: 400 invalid_request', async (method) => {
    const before = await items();
    const answer = await rawRequest(port, {
      method,
      target: `${REGISTRATION_PATH}/%E0%A4%A`,
      headers: [
        ['Authorization', 'Bearer abc'],
        ['Content-Type', 'application/json'],
      ],
      body: method === 'PUT' ? '{"client_id":"abc"}' : undefined,
    });

    expectJsonError(answer, 400, 'invalid_request');
    expect(JSON.parse(answer.body).error_description).toMatch(/percent/);
    expect(await items()).toEqual(before);
  });

  it.each(['%', '%zz', '%E0%A4', '%C0%80', '%ED%A0%80'])('a client id of %s: 400 invalid_request', async (clientId) => {
    expectJsonError(await rawRequest(port, { method: 'GET', target: `${REGISTRATION_PATH}/${clientId}` }), 400, 'invalid_request');
  });

  it('a well-formed escape of an id that cannot be ours: 401 invalid_token like an unknown client', async () => {
    const answer = await rawRequest(port, {
      method: 'GET',
      target: `${REGISTRATION_PATH}/${encodeURIComponent('é'.repeat(2_000))}`,
      headers: [['Authorization', 'Bearer abc']],
    });

    expectJsonError(answer, 401, 'invalid_token');
  });

  it.each(['http://[::1', 'http://x:99999/as/clients.oauth2', '//%', '*'])('a request target of %s: a JSON 4xx', async (target) => {
    const answer = await rawRequest(port, { method: 'GET', target });

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(JSON.parse(answer.body).error).toEqual(expect.any(String));
  });
});
