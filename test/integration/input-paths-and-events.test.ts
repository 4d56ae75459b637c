import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as deleteHandler } from '../../functions/delete.js';
import { handler as readHandler } from '../../functions/read.js';
import { handler as registerHandler } from '../../functions/register.js';
import { handler as updateHandler } from '../../functions/update.js';
import { matchRoute, toProxyEvent } from '../../infra/local/proxy-event.js';
import { type Answer, clientPath, expectError, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Issue 8, items 4, 5 and 10: a client id that cannot be ours never reaches DynamoDB, a path
// parameter is never decoded into a failure, and a Lambda event of any shape gets a JSON answer.

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
const HANDLERS: Record<string, Handler> = { register: registerHandler, read: readHandler, update: updateHandler, delete: deleteHandler };
const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('client ids that cannot be ours', () => {
  const h = useHarness();
  let client: Answer;
  beforeAll(async () => {
    client = await h.register(METADATA);
  });

  /** An event for the client route with the path parameter exactly as given (API Gateway passes it on). */
  const eventFor = (method: string, clientId: string, body?: string): APIGatewayProxyEvent => {
    const match = matchRoute(method, clientPath('AAAAAAAAAAAAAAAAAAAAAAAA'));
    if (match.kind !== 'route') throw new Error('no client route');
    return toProxyEvent(
      {
        method,
        path: `${REGISTRATION_PATH}/${clientId}`,
        headers: {
          host: 'dcr.example.test',
          authorization: `Bearer ${client.body.registration_access_token}`,
          'content-type': 'application/json',
        },
        body: body ?? null,
      },
      match.route,
      { clientId },
    );
  };

  const IDS: readonly [string, string][] = [
    ['2,049 bytes', 'a'.repeat(2_049)],
    ['10,000 bytes', 'A'.repeat(10_000)],
    ['2,048 multi-byte characters', 'é'.repeat(2_048)],
    ['a malformed percent-escape, undecoded', '%E0%A4%A'],
    ['a percent-escape, undecoded', '%41%41'],
    ['unicode', '💥'.repeat(12)],
    ['a NUL character', `${'A'.repeat(23)}\u0000`],
    ['25 characters', 'A'.repeat(25)],
    ['23 characters', 'A'.repeat(23)],
    ['empty', ''],
  ];

  for (const method of ['GET', 'PUT', 'DELETE']) {
    it.each(IDS)(`${method} with an id of %s: 401 invalid_token, no DynamoDB request`, async (_what, clientId) => {
      const before = await h.items();
      const requests = h.dynamoDb.requestCount();
      const route = method === 'GET' ? 'read' : method === 'PUT' ? 'update' : 'delete';

      const result = await HANDLERS[route]!(eventFor(method, clientId, JSON.stringify({ client_id: clientId, ...METADATA })));

      expect(h.dynamoDb.requestCount()).toBe(requests);
      expect(result.statusCode).toBe(401);
      expect(JSON.parse(result.body)).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
      expect(await h.items()).toEqual(before);
    });
  }

  it('the real client id still works (the shape check lets ours through)', async () => {
    const res = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });

    expect(res.status).toBe(200);
    client = { ...client, body: { ...client.body, registration_access_token: res.body.registration_access_token } };
  });

  it('an unknown id of our shape and an id of another shape get the same answer', async () => {
    const unknown = await h.call('GET', clientPath('B'.repeat(24)), { token: 'some-token' });
    const long = await h.call('GET', clientPath('B'.repeat(3_000)), { token: 'some-token' });

    expectError(unknown, 401, 'invalid_token');
    expect(long.body).toEqual(unknown.body);
    expect(long.headers).toEqual(unknown.headers);
  });
});

describe('Lambda events of any shape', () => {
  const h = useHarness();
  let validEvent: APIGatewayProxyEvent;
  beforeAll(async () => {
    const match = matchRoute('POST', REGISTRATION_PATH);
    if (match.kind !== 'route') throw new Error('no register route');
    validEvent = toProxyEvent(
      {
        method: 'POST',
        path: REGISTRATION_PATH,
        headers: { host: 'dcr.example.test', authorization: `Bearer ${await h.initialAccessToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify(METADATA),
      },
      match.route,
      {},
    );
  });

  /** The answer of every handler to `event`: never a throw, never a 5xx, a JSON error body; nothing stored. */
  const answersOf = async (event: unknown): Promise<APIGatewayProxyResult[]> => {
    const before = await h.items();
    const results: APIGatewayProxyResult[] = [];
    for (const handler of Object.values(HANDLERS)) {
      const result = await handler(event as APIGatewayProxyEvent);
      expect(result.statusCode).toBeGreaterThanOrEqual(400);
      expect(result.statusCode).toBeLessThan(500);
      expect(JSON.parse(result.body)).toEqual({ error: expect.any(String), error_description: expect.any(String) });
      results.push(result);
    }
    expect(await h.items()).toEqual(before);
    return results;
  };

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'GET /as/clients.oauth2'],
    ['a number', 42],
    ['an array', []],
    ['an empty object', {}],
  ])('an event that is %s: 400 invalid_request from every handler', async (_what, event) => {
    for (const result of await answersOf(event)) {
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).error).toBe('invalid_request');
    }
  });

  it.each<[string, (event: Record<string, unknown>) => void]>([
    ['a numeric header value', (event) => (event.headers = { ...(event.headers as object), 'content-type': 42 })],
    ['an array header value', (event) => (event.headers = { ...(event.headers as object), authorization: ['Bearer a', 'Bearer b'] })],
    ['an object header value', (event) => (event.headers = { ...(event.headers as object), host: { name: 'x' } })],
    ['headers that are a string', (event) => (event.headers = 'content-type: application/json')],
    ['a numeric body', (event) => (event.body = 12)],
    ['an object body', (event) => (event.body = { redirect_uris: ['https://app.example/cb'] })],
    ['pathParameters that are a string', (event) => (event.pathParameters = 'clientId=abc')],
    ['a numeric path parameter', (event) => (event.pathParameters = { clientId: 123 })],
  ])('an event with %s: 400 invalid_request', async (_what, mutate) => {
    const event = structuredClone(validEvent) as unknown as Record<string, unknown>;
    mutate(event);

    for (const result of await answersOf(event)) {
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).error).toBe('invalid_request');
    }
  });

  it.each<[string, (event: Record<string, unknown>) => void]>([
    ['no requestContext', (event) => delete event.requestContext],
    ['a requestContext that is a string', (event) => (event.requestContext = 'x')],
    ['null headers', (event) => (event.headers = null)],
    ['no pathParameters', (event) => delete event.pathParameters],
    ['no httpMethod', (event) => delete event.httpMethod],
    ['isBase64Encoded as a string', (event) => (event.isBase64Encoded = 'yes')],
  ])('an event with %s: a JSON 4xx from every handler, nothing stored', async (_what, mutate) => {
    const event = structuredClone(validEvent) as unknown as Record<string, unknown>;
    // a body that cannot register, so the register handler refuses too
    event.body = '{"redirect_uris": 1}';
    mutate(event);

    await answersOf(event);
  });

  it('without requestContext, a valid registration still registers', async () => {
    const event = structuredClone(validEvent) as unknown as Record<string, unknown>;
    delete event.requestContext;

    const result = await registerHandler(event as unknown as APIGatewayProxyEvent);

    expect(result.statusCode).toBe(201);
  });
});
