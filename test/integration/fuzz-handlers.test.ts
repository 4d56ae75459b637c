import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as deleteHandler } from '../../functions/delete.js';
import { handler as readHandler } from '../../functions/read.js';
import { handler as registerHandler } from '../../functions/register.js';
import { handler as updateHandler } from '../../functions/update.js';
import { matchRoute, toProxyEvent } from '../../infra/local/proxy-event.js';
import {
  authorization,
  bodyText,
  clientIdText,
  contentType,
  expectSafeAnswer,
  FuzzTally,
  fuzzParameters,
  jsonValue,
  objectText,
} from '../support/fuzz.js';
import { type Answer, clientPath, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Issue 8: property-based tests of the real Lambda handlers on an embedded DynamoDB. Generated
// bodies, headers, client ids and event shapes must never get a 5xx or a throw; a 4xx is JSON with
// an `error`; a refused request leaves every item of the table as it was.

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
const HANDLERS: Record<string, Handler> = { register: registerHandler, read: readHandler, update: updateHandler, delete: deleteHandler };
const ROUTE_OF: Record<string, string> = { POST: 'register', GET: 'read', PUT: 'update', DELETE: 'delete' };
const tally = new FuzzTally('handlers');

describe('fuzzing the Lambda handlers', () => {
  // rotation off: the client's registration access token stays valid, so generated PUTs and GETs reach past the token check
  const h = useHarness({
    settings: {
      rotateClientSecret: false,
      rotateRegistrationAccessToken: false,
      extendedProperties: [
        { name: 'constructor', multiValued: false },
        { name: 'department', multiValued: true },
      ],
    },
  });
  let client: Answer;
  let iat: string;
  beforeAll(async () => {
    client = await h.register({ redirect_uris: ['https://app.example/cb'] });
    expect(client.status).toBe(201);
    iat = await h.initialAccessToken({}, 3_600);
  });
  afterAll(() => {
    tally.report();
  });

  /** An event for `method` on the registration or client route, with the path parameter exactly as given. */
  const eventFor = (method: string, clientId: string | undefined, headers: Record<string, string>, body: string | null) => {
    const match = matchRoute(method, clientId === undefined ? REGISTRATION_PATH : clientPath('A'.repeat(24)));
    if (match.kind !== 'route') throw new Error(`no route for ${method}`);
    const path = clientId === undefined ? REGISTRATION_PATH : `${REGISTRATION_PATH}/${clientId}`;
    return toProxyEvent(
      { method, path, headers: { host: 'dcr.example.test', ...headers }, body },
      match.route,
      clientId === undefined ? {} : { clientId },
    );
  };

  /** Sends the event to its handler and checks the answer and, for a refusal, that nothing stored changed. */
  const check = async (route: string, event: unknown, context: string): Promise<APIGatewayProxyResult> => {
    const before = await h.items();
    let result: APIGatewayProxyResult;
    try {
      result = await HANDLERS[route]!(event as APIGatewayProxyEvent);
    } catch (error) {
      throw new Error(`${context}: the handler threw ${String(error)}`);
    }
    tally.count(result.statusCode);
    expectSafeAnswer(result.statusCode, result.body, `${context} -> ${result.statusCode} ${result.body.slice(0, 200)}`);
    if (result.statusCode >= 400) expect(await h.items(), context).toEqual(before);
    return result;
  };

  it('POST with generated bodies', async () => {
    await fc.assert(
      fc.asyncProperty(bodyText, async (body) => {
        await check(
          'register',
          eventFor('POST', undefined, { authorization: `Bearer ${iat}`, 'content-type': 'application/json' }, body),
          `POST ${body.slice(0, 200)}`,
        );
      }),
      fuzzParameters(300, 40),
    );
  });

  it('PUT of the real client, with its token, with generated bodies', async () => {
    await fc.assert(
      fc.asyncProperty(bodyText, fc.boolean(), async (body, withClientId) => {
        // most bodies carry the right client_id, so they reach validation
        const text =
          withClientId && body.startsWith('{') && body.length > 2
            ? `{"client_id":${JSON.stringify(client.body.client_id)},${body.slice(1)}`
            : body;
        const event = eventFor(
          'PUT',
          client.body.client_id,
          { authorization: `Bearer ${client.body.registration_access_token}`, 'content-type': 'application/json' },
          text,
        );
        await check('update', event, `PUT ${text.slice(0, 200)}`);
      }),
      fuzzParameters(200, 30),
    );
  });

  it('every method with generated content types and Authorization headers', async () => {
    const rat = client.body.registration_access_token as string;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'GET', 'PUT', 'DELETE'),
        contentType,
        fc.oneof(authorization(iat), authorization(rat)),
        async (method, type, auth) => {
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          // DELETE with the real token would end the fuzzing of this client: it gets other tokens only
          if (auth !== undefined) headers.authorization = method === 'DELETE' && auth.includes(rat) ? 'Bearer x' : auth;
          const body =
            method === 'POST' || method === 'PUT'
              ? JSON.stringify({ client_id: client.body.client_id, redirect_uris: ['https://app.example/cb'] })
              : null;
          const event = eventFor(method, method === 'POST' ? undefined : client.body.client_id, headers, body);
          await check(
            ROUTE_OF[method]!,
            event,
            `${method} content-type ${JSON.stringify(type)} authorization ${JSON.stringify(auth?.slice(0, 80))}`,
          );
        },
      ),
      fuzzParameters(300, 30),
    );
  });

  it('GET, PUT and DELETE with generated client ids in the path parameter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'PUT', 'DELETE'), clientIdText, async (method, clientId) => {
        const event = eventFor(
          method,
          clientId,
          { authorization: 'Bearer some-token', 'content-type': 'application/json' },
          method === 'PUT' ? objectText([['client_id', clientId]]) : null,
        );
        const result = await check(ROUTE_OF[method]!, event, `${method} id ${JSON.stringify(clientId.slice(0, 100))}`);
        // no such client: 401, or for a PUT 400 when the body is refused first (it is checked before the token)
        expect(method === 'PUT' ? [400, 401] : [401]).toContain(result.statusCode);
      }),
      fuzzParameters(200, 20),
    );
  });

  it('events of generated shapes', async () => {
    const valid = eventFor(
      'POST',
      undefined,
      { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
      '{"redirect_uris":1}',
    );
    const members = Object.keys(valid);
    const anything = fc.oneof(jsonValue, fc.anything({ maxDepth: 2 }), fc.constant(undefined));
    const mutated = fc
      .tuple(fc.constantFrom(...members, 'headers', 'headers', 'body', 'pathParameters'), anything)
      .map(([member, value]) => {
        const event: Record<string, unknown> = { ...valid };
        if (value === undefined) delete event[member];
        else event[member] = value;
        return event;
      });
    const headerValue = fc
      .tuple(fc.constantFrom('content-type', 'authorization', 'host', 'x-forwarded-proto'), anything)
      .map(([name, value]) => ({
        ...valid,
        headers: { ...valid.headers, [name]: value },
      }));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('register', 'read', 'update', 'delete'),
        fc.oneof(mutated, headerValue, anything),
        async (route, event) => {
          await check(route, event, `${route} event ${String(JSON.stringify(event)).slice(0, 200)}`);
        },
      ),
      fuzzParameters(300, 30),
    );
  });
});
