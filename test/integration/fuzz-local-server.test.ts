import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';
import { authorization, bodyText, clientIdText, contentType, expectSafeAnswer, FuzzTally, fuzzParameters } from '../support/fuzz.js';
import { rawRequest } from '../support/raw-http.js';

// Issue 8: property-based tests through the local server (infra/local/server.ts) over HTTP on
// 127.0.0.1, with requests written byte for byte (request targets, header lines and bodies as
// generated, not normalised by a client library). Never a 5xx; a 4xx is JSON with an `error`; a
// refused request leaves every item of the table as it was.

const REGISTRATION_PATH = '/as/clients.oauth2';
const tally = new FuzzTally('local server');

/** A path segment as a client might send it: percent-encoded, raw ASCII, or with escapes as generated. */
const segment: fc.Arbitrary<string> = fc.oneof(
  clientIdText.map((id) => percentEncode(id, /[A-Za-z0-9_.~-]/)),
  clientIdText.map((id) => percentEncode(id, /[\x21-\x7e]/)),
  fc.constantFrom('%E0%A4%A', '%', '%%', '%G0', '%00', '%C0%80', '%ED%A0%80', '%F4%90%80%80', '%2e%2e', '..'),
);

/** Percent-encodes the UTF-8 bytes of every character but those `keep` matches (lone surrogates too, unlike encodeURIComponent). */
function percentEncode(value: string, keep: RegExp): string {
  let out = '';
  for (const char of value) {
    out += keep.test(char)
      ? char
      : [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

const target: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: segment.map((id) => `${REGISTRATION_PATH}/${id}`) },
  { weight: 1, arbitrary: fc.constant(REGISTRATION_PATH) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `${REGISTRATION_PATH}/`,
      `${REGISTRATION_PATH}//x`,
      `${REGISTRATION_PATH}?a=%zz`,
      `${REGISTRATION_PATH}/x?y=1#z`,
      '/',
      '*',
      '//%',
      'http://[::1',
      'http://127.0.0.1/as/clients.oauth2',
      '/.well-known/jwks.json',
      '/as/clients.oauth2/a/b',
    ),
  },
);

describe('fuzzing the local server over HTTP', () => {
  let server: LocalServer;
  let port: number;
  let items: () => Promise<Record<string, unknown>[]>;
  let iat: string;
  let client: { client_id: string; registration_access_token: string };
  beforeAll(async () => {
    server = await startLocalServer({
      host: '127.0.0.1',
      port: 0,
      // rotation off: the client's token stays valid, so generated requests reach past the token check
      env: { DCR_TABLE_NAME: 'clients-fuzz', DCR_ROTATE_CLIENT_SECRET: 'false', DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: 'false' },
    });
    port = Number(new URL(server.url).port);
    const dynamoDb = new DynamoDBClient({
      endpoint: server.dynamoDbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    items = async () =>
      ((await dynamoDb.send(new ScanCommand({ TableName: server.tableName, ConsistentRead: true }))).Items ?? []).map((item) =>
        unmarshall(item),
      );
    iat = await server.devIssuer!.mint({ scope: 'dcr:register' });
    const registered = await rawRequest(port, {
      method: 'POST',
      target: REGISTRATION_PATH,
      headers: [
        ['Authorization', `Bearer ${iat}`],
        ['Content-Type', 'application/json'],
      ],
      body: JSON.stringify({ redirect_uris: ['https://app.example/cb'] }),
    });
    expect(registered.status).toBe(201);
    client = JSON.parse(registered.body);
  });
  afterAll(async () => {
    tally.report();
    await server?.close();
  });

  it('generated methods, request targets, headers and bodies', async () => {
    const request = fc.record({
      method: fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      target: fc.oneof(target, fc.constant('CLIENT')),
      type: contentType,
      auth: fc.oneof(authorization(iat), authorization(client.registration_access_token)),
      body: fc.option(bodyText, { nil: undefined }),
      withClientId: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, target: generated, type, auth, body, withClientId }) => {
        const path = generated === 'CLIENT' ? `${REGISTRATION_PATH}/${client.client_id}` : generated;
        let text = body;
        if (text !== undefined && withClientId && text.startsWith('{') && text.length > 2)
          text = `{"client_id":"${client.client_id}",${text.slice(1)}`;
        const headers: [string, string][] = [];
        // header values go on the wire as Latin-1: keep them to what HTTP allows, or the parser refuses the request (checked below too)
        if (type !== undefined) headers.push(['Content-Type', type.replace(/[^\x20-\x7e]/g, '')]);
        let authValue = auth?.replace(/[^\x20-\x7e]/g, '');
        // DELETE with the real token would end the fuzzing of this client
        if (method === 'DELETE' && authValue?.includes(client.registration_access_token)) authValue = 'Bearer x';
        if (authValue !== undefined) headers.push(['Authorization', authValue]);
        const before = await items();
        const answer = await rawRequest(port, { method, target: path, headers, body: text });
        tally.count(answer.status);
        const context = `${method} ${path.slice(0, 120)} ${JSON.stringify(headers).slice(0, 200)} ${String(text).slice(0, 120)} -> ${answer.status} ${answer.body.slice(0, 200)}`;
        if (method === 'HEAD') expect(answer.status, context).toBeLessThan(500);
        else expectSafeAnswer(answer.status, answer.body, context);
        if (answer.status >= 400) expect(await items(), context).toEqual(before);
      }),
      fuzzParameters(400, 45),
    );
  });

  it('requests the HTTP parser refuses (control characters, bad header lines) still get a JSON 4xx', async () => {
    const broken = fc.oneof(
      fc.constantFrom(`${REGISTRATION_PATH}/a\u0001b`, `${REGISTRATION_PATH}/\u00e9`, `${REGISTRATION_PATH}/ a`),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map((id) => `${REGISTRATION_PATH}/${id}`),
    );
    const headerLine = fc.oneof(
      fc.constant<[string, string] | undefined>(undefined),
      fc.constantFrom<[string, string]>(
        ['Bad Header', 'x'],
        ['X-Control', 'a\u0001b'],
        ['Content-Length', 'abc'],
        ['X-Long', 'x'.repeat(20_000)],
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'PUT', 'DELETE'), broken, headerLine, async (method, path, extra) => {
        const before = await items();
        const answer = await rawRequest(port, { method, target: path, headers: extra ? [extra] : [] });
        tally.count(answer.status);
        const context = `${method} ${JSON.stringify(path)} ${JSON.stringify(extra?.[0])} -> ${answer.status} ${answer.body.slice(0, 200)}`;
        expectSafeAnswer(answer.status, answer.body, context);
        expect(await items(), context).toEqual(before);
      }),
      fuzzParameters(100, 15),
    );
  });
});
