import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as registerHandler } from '../../functions/register.js';
import { matchRoute, toProxyEvent } from '../../infra/local/proxy-event.js';
import { type Answer, clientPath, expectError, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// The request body: a JSON object sent as application/json, at most 64 KiB (docs/reference.md).

const METADATA = { redirect_uris: ['https://app.example/cb'] };
const LIMIT = 64 * 1024;

/** A registration body of exactly `bytes` UTF-8 bytes: valid metadata padded with an unknown (ignored) member. */
function bodyOfSize(bytes: number, pad = 'x'): string {
  const skeleton = JSON.stringify({ ...METADATA, padding: '' });
  const room = bytes - Buffer.byteLength(skeleton);
  const padBytes = Buffer.byteLength(pad);
  const body = JSON.stringify({ ...METADATA, padding: pad.repeat(Math.floor(room / padBytes)) + 'x'.repeat(room % padBytes) });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

describe('request bodies', () => {
  const h = useHarness();

  const post = async (body: string | undefined, headers?: Record<string, string>) =>
    h.call('POST', REGISTRATION_PATH, { body, headers, token: await h.initialAccessToken() });
  const refused = async (act: () => Promise<Answer>, status: number, error: string): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expectError(res, status, error);
    expect(await h.items()).toEqual(before);
    return res;
  };

  describe('POST', () => {
    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/jwt', 'application/json-patch+json'])(
      'Content-Type %s: 400 invalid_request',
      async (contentType) => {
        const res = await refused(() => post(JSON.stringify(METADATA), { 'content-type': contentType }), 400, 'invalid_request');

        expect(res.body.error_description).toContain('Content-Type');
      },
    );

    it('no Content-Type: 400 invalid_request', async () => {
      const token = await h.initialAccessToken();
      const match = matchRoute('POST', REGISTRATION_PATH);
      if (match.kind !== 'route') throw new Error('no register route');
      const event = toProxyEvent(
        {
          method: 'POST',
          path: REGISTRATION_PATH,
          headers: { host: 'dcr.example.test', authorization: `Bearer ${token}` },
          body: JSON.stringify(METADATA),
        },
        match.route,
        match.pathParameters,
      );
      const before = await h.items();

      const result = await registerHandler(event);

      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).error).toBe('invalid_request');
      expect(await h.items()).toEqual(before);
    });

    it.each(['application/json; charset=utf-8', 'Application/JSON'])('Content-Type %s is accepted', async (contentType) => {
      const res = await post(JSON.stringify(METADATA), { 'content-type': contentType });

      expect(res.status).toBe(201);
    });

    it.each<[string, string | undefined]>([
      ['no body', undefined],
      ['an empty body', ''],
      ['a blank body', '   \n'],
      ['a body that is not JSON', '{"redirect_uris": ["https://app.example/cb"]'],
      ['a JSON array', JSON.stringify([METADATA])],
      ['JSON null', 'null'],
      ['a JSON string', '"redirect_uris"'],
      ['a JSON number', '42'],
    ])('%s: 400 invalid_request', async (_what, body) => {
      await refused(() => post(body, { 'content-type': 'application/json' }), 400, 'invalid_request');
    });

    it('a body of exactly 64 KiB is accepted', async () => {
      const res = await post(bodyOfSize(LIMIT));

      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('padding');
    });

    it('a body one byte over 64 KiB: 413 invalid_request', async () => {
      await refused(async () => post(bodyOfSize(LIMIT + 1)), 413, 'invalid_request');
    });

    it('counts bytes, not characters: 30,000 euro signs (90,000 bytes) are over the limit', async () => {
      const body = bodyOfSize(90_000, '€');
      expect(body.length).toBeLessThan(LIMIT);

      await refused(async () => post(body), 413, 'invalid_request');
    });

    describe('a base64-encoded body (isBase64Encoded, as API Gateway sends binary media types)', () => {
      const callBase64 = async (body: string): Promise<APIGatewayProxyResult> => {
        const token = await h.initialAccessToken();
        const match = matchRoute('POST', REGISTRATION_PATH);
        if (match.kind !== 'route') throw new Error('no register route');
        const event = toProxyEvent(
          {
            method: 'POST',
            path: REGISTRATION_PATH,
            headers: { host: 'dcr.example.test', 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: Buffer.from(body, 'utf8').toString('base64'),
          },
          match.route,
          match.pathParameters,
        );
        return registerHandler({ ...event, isBase64Encoded: true });
      };

      it('is decoded and registered', async () => {
        const result = await callBase64(JSON.stringify({ ...METADATA, client_name: 'Zoë’s app' }));

        expect(result.statusCode).toBe(201);
        const body = JSON.parse(result.body);
        expect(body.client_name).toBe('Zoë’s app');
        expect((await h.item(body.client_id))?.metadata.client_name).toBe('Zoë’s app');
      });

      it('is measured after decoding: 64 KiB decoded (about 87 KiB encoded) is accepted', async () => {
        const result = await callBase64(bodyOfSize(LIMIT));

        expect(result.statusCode).toBe(201);
      });

      it('is refused past 64 KiB decoded: 413 invalid_request', async () => {
        const before = await h.items();

        const result = await callBase64(bodyOfSize(LIMIT + 1));

        expect(result.statusCode).toBe(413);
        expect(JSON.parse(result.body).error).toBe('invalid_request');
        expect(await h.items()).toEqual(before);
      });
    });
  });

  describe('PUT', () => {
    const registerClient = async (): Promise<Answer> => {
      const res = await h.register(METADATA);
      expect(res.status).toBe(201);
      return res;
    };
    const put = (client: Answer, body: string | undefined, contentType = 'application/json') =>
      h.call('PUT', clientPath(client.body.client_id), {
        token: client.body.registration_access_token,
        body,
        headers: { 'content-type': contentType },
      });

    it('Content-Type text/plain: 400 invalid_request', async () => {
      const client = await registerClient();

      await refused(
        () => put(client, JSON.stringify({ client_id: client.body.client_id, ...METADATA }), 'text/plain'),
        400,
        'invalid_request',
      );
    });

    it.each<[string, string | undefined]>([
      ['no body', undefined],
      ['a body that is not JSON', 'client_id=abc'],
      ['a JSON array', '[]'],
    ])('%s: 400 invalid_request', async (_what, body) => {
      const client = await registerClient();

      await refused(() => put(client, body), 400, 'invalid_request');
    });

    it('a body over 64 KiB: 413 invalid_request', async () => {
      const client = await registerClient();
      const body = JSON.stringify({ client_id: client.body.client_id, ...METADATA, padding: 'x'.repeat(LIMIT) });

      await refused(() => put(client, body), 413, 'invalid_request');
    });
  });
});
