import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { invalidClientMetadata, methodNotAllowed, RegistrationError, temporarilyUnavailable } from '../../lib/errors.js';
import { MAX_BODY_BYTES, toHttpRequest, toProxyResult } from '../../lib/http/api-gateway.js';
import { errorResponse, json } from '../../lib/http/responses.js';
import { thrownBy } from '../support/thrown.js';

const EXECUTE_API_HOST = 'abc.execute-api.eu-west-1.amazonaws.com';

interface EventParts {
  readonly headers?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly domainName?: string;
  readonly stage?: string;
  readonly pathParameters?: Record<string, string> | null;
}

/** An API Gateway REST (v1) proxy event as API Gateway sends it, with only the parts a test names changed. */
function proxyEvent(parts: EventParts = {}): APIGatewayProxyEvent {
  const domainName = 'domainName' in parts ? parts.domainName : EXECUTE_API_HOST;
  return {
    resource: '/as/clients.oauth2',
    path: '/as/clients.oauth2',
    httpMethod: 'POST',
    headers: parts.headers === undefined ? { Host: domainName ?? 'localhost' } : parts.headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: parts.pathParameters ?? null,
    stageVariables: null,
    body: parts.body === undefined ? null : parts.body,
    isBase64Encoded: parts.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName,
      stage: parts.stage ?? 'prod',
      requestId: 'request-1',
      httpMethod: 'POST',
      path: '/prod/as/clients.oauth2',
      protocol: 'HTTP/1.1',
      requestTimeEpoch: 0,
      resourceId: 'r1',
      resourcePath: '/as/clients.oauth2',
    },
  } as unknown as APIGatewayProxyEvent;
}

describe('toHttpRequest', () => {
  it('lower-cases header names and keeps their values', () => {
    // Act
    const request = toHttpRequest(
      proxyEvent({
        headers: { 'Content-Type': 'application/json', AUTHORIZATION: 'Bearer abc', 'X-Custom': 'Mixed Case', Skipped: undefined },
      }),
    );

    // Assess
    expect(request.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer abc', 'x-custom': 'Mixed Case' });
  });

  it('accepts an event without headers', () => {
    expect(toHttpRequest(proxyEvent({ headers: null })).headers).toEqual({});
  });

  it('carries the method, path parameters and request id', () => {
    // Act
    const request = toHttpRequest(proxyEvent({ pathParameters: { clientId: 'client-1' } }));

    // Assess
    expect(request.method).toBe('POST');
    expect(request.pathParameters).toEqual({ clientId: 'client-1' });
    expect(request.requestId).toBe('request-1');
  });

  it('passes a text body through and keeps a missing body null', () => {
    expect(toHttpRequest(proxyEvent({ body: '{"client_name":"x"}' })).body).toBe('{"client_name":"x"}');
    expect(toHttpRequest(proxyEvent({ body: null })).body).toBeNull();
  });

  it('decodes a base64 body', () => {
    // Prepare
    const text = '{"client_name":"Café ☕"}';

    // Act
    const request = toHttpRequest(proxyEvent({ body: Buffer.from(text, 'utf8').toString('base64'), isBase64Encoded: true }));

    // Assess
    expect(request.body).toBe(text);
  });

  describe('64 KiB body limit', () => {
    it('is 65536 bytes', () => {
      expect(MAX_BODY_BYTES).toBe(65_536);
    });

    it('accepts a body of exactly 65536 bytes', () => {
      // Prepare
      const body = 'a'.repeat(65_536);

      // Act
      const request = toHttpRequest(proxyEvent({ body }));

      // Assess
      expect(request.body).toBe(body);
    });

    it('answers 413 invalid_request for 65537 bytes', () => {
      // Act
      const error = thrownBy(() => toHttpRequest(proxyEvent({ body: 'a'.repeat(65_537) })), RegistrationError);

      // Assess
      expect(error.status).toBe(413);
      expect(error.error).toBe('invalid_request');
      expect(error.description).toContain('65536');
    });

    it('counts multi-byte UTF-8 characters in bytes, not characters', () => {
      // Prepare: '€' is 3 bytes in UTF-8; 21846 of them are 65538 bytes but only 21846 characters
      const atLimit = `${'€'.repeat(21_845)}a`;
      const overLimit = '€'.repeat(21_846);

      // Act
      const accepted = toHttpRequest(proxyEvent({ body: atLimit }));
      const error = thrownBy(() => toHttpRequest(proxyEvent({ body: overLimit })), RegistrationError);

      // Assess
      expect(Buffer.byteLength(atLimit)).toBe(65_536);
      expect(accepted.body).toBe(atLimit);
      expect(error.status).toBe(413);
    });

    it('counts a base64 body by its decoded size', () => {
      // Prepare: the base64 text of 65536 bytes is about 87 KB long, yet the body is within the limit
      const exactly = Buffer.alloc(65_536, 'a').toString('base64');
      const over = Buffer.alloc(65_537, 'a').toString('base64');

      // Act
      const accepted = toHttpRequest(proxyEvent({ body: exactly, isBase64Encoded: true }));
      const error = thrownBy(() => toHttpRequest(proxyEvent({ body: over, isBase64Encoded: true })), RegistrationError);

      // Assess
      expect(accepted.body).toHaveLength(65_536);
      expect(error.status).toBe(413);
      expect(error.error).toBe('invalid_request');
    });
  });

  describe('base URL', () => {
    it('adds the stage on the execute-api host', () => {
      expect(toHttpRequest(proxyEvent({ domainName: EXECUTE_API_HOST, stage: 'prod' })).baseUrl).toBe(
        'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      );
    });

    it('adds the stage on a China-region execute-api host', () => {
      expect(toHttpRequest(proxyEvent({ domainName: 'abc.execute-api.cn-north-1.amazonaws.com.cn', stage: 'dev' })).baseUrl).toBe(
        'https://abc.execute-api.cn-north-1.amazonaws.com.cn/dev',
      );
    });

    it('leaves the stage out on a custom domain, which maps it away', () => {
      expect(toHttpRequest(proxyEvent({ domainName: 'api.example.com', stage: 'prod' })).baseUrl).toBe('https://api.example.com');
    });

    it('does not mistake a custom domain that merely contains "execute-api" for the execute-api host', () => {
      expect(toHttpRequest(proxyEvent({ domainName: 'abc.execute-api.eu-west-1.amazonaws.com.example.com' })).baseUrl).toBe(
        'https://abc.execute-api.eu-west-1.amazonaws.com.example.com',
      );
    });

    it('honours X-Forwarded-Proto', () => {
      // Act
      const request = toHttpRequest(proxyEvent({ domainName: 'localhost:3000', headers: { 'X-Forwarded-Proto': 'http' } }));

      // Assess
      expect(request.baseUrl).toBe('http://localhost:3000');
    });

    it('takes the first scheme of a proxy chain in X-Forwarded-Proto', () => {
      expect(toHttpRequest(proxyEvent({ domainName: 'api.example.com', headers: { 'x-forwarded-proto': 'http, https' } })).baseUrl).toBe(
        'http://api.example.com',
      );
    });

    it('ignores an X-Forwarded-Proto that is not http or https', () => {
      expect(toHttpRequest(proxyEvent({ domainName: 'api.example.com', headers: { 'x-forwarded-proto': 'javascript' } })).baseUrl).toBe(
        'https://api.example.com',
      );
    });

    it('falls back to the Host header when the event has no domain name', () => {
      expect(toHttpRequest(proxyEvent({ domainName: undefined, headers: { Host: 'dcr.example.com' } })).baseUrl).toBe(
        'https://dcr.example.com',
      );
    });

    it('uses the configured public base URL over the request host', () => {
      // Act
      const request = toHttpRequest(
        proxyEvent({ domainName: EXECUTE_API_HOST, headers: { 'X-Forwarded-Proto': 'http' } }),
        'https://dcr.example.com/v1',
      );

      // Assess
      expect(request.baseUrl).toBe('https://dcr.example.com/v1');
    });
  });
});

describe('toProxyResult', () => {
  it('copies status, headers and body', () => {
    // Prepare
    const response = json(201, { client_id: 'c' }, { Location: 'https://x' });

    // Act
    const result = toProxyResult(response);

    // Assess
    expect(result).toEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache', Location: 'https://x' },
      body: '{"client_id":"c"}',
    });
  });
});

describe('errorResponse', () => {
  it('renders a RegistrationError as an OAuth error body with no-store headers', () => {
    // Act
    const response = errorResponse(invalidClientMetadata('client_name must be a string'));

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_client_metadata', error_description: 'client_name must be a string' });
  });

  it("keeps the error's own headers", () => {
    // Act
    const response = errorResponse(temporarilyUnavailable('the datastore is busy', 3));

    // Assess
    expect(response.status).toBe(503);
    expect(response.headers['Retry-After']).toBe('3');
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(JSON.parse(response.body)).toEqual({ error: 'temporarily_unavailable', error_description: 'the datastore is busy' });
  });

  it('answers an empty-body error with no body and no JSON content type', () => {
    // Act
    const response = errorResponse(methodNotAllowed('GET, PUT'));

    // Assess
    expect(response.status).toBe(405);
    expect(response.body).toBe('');
    expect(response.headers).toEqual({ 'Cache-Control': 'no-store', Pragma: 'no-cache', Allow: 'GET, PUT' });
  });

  it.each([
    ['an Error', new Error('ConditionalCheckFailed on table dcr-clients-prod at arn:aws:dynamodb:eu-west-1:123456789012')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'secret')")],
    ['a string', 'something broke in /var/task/index.mjs'],
    ['undefined', undefined],
  ])('answers %s with 500 server_error and a generic description', (_case, thrown) => {
    // Act
    const response = errorResponse(thrown);

    // Assess
    expect(response.status).toBe(500);
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(JSON.parse(response.body)).toEqual({ error: 'server_error', error_description: 'the server met an unexpected condition' });
    for (const internal of ['dcr-clients', 'arn:aws', 'secret', '/var/task', 'TypeError', 'stack'])
      expect(response.body).not.toContain(internal);
  });
});
