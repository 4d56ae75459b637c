import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { readJsonObject } from '../../lib/http/body.js';
import type { HttpRequest } from '../../lib/http/types.js';
import { thrownBy } from '../support/thrown.js';

function request(body: string | null, contentType: string | null = 'application/json'): HttpRequest {
  return {
    method: 'POST',
    headers: contentType === null ? {} : { 'content-type': contentType },
    pathParameters: {},
    body,
    baseUrl: 'https://dcr.example.com',
    requestId: 'request-1',
  };
}

function invalidRequestFrom(act: () => unknown): RegistrationError {
  const error = thrownBy(act, RegistrationError);
  expect(error.status).toBe(400);
  expect(error.error).toBe('invalid_request');
  return error;
}

describe('readJsonObject', () => {
  it('returns the JSON object of an application/json body', () => {
    expect(readJsonObject(request('{"client_name":"x","redirect_uris":["https://a.example/cb"]}'))).toEqual({
      client_name: 'x',
      redirect_uris: ['https://a.example/cb'],
    });
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8', ' application/json '])(
    'accepts the content type %j',
    (contentType) => {
      expect(readJsonObject(request('{"a":1}', contentType))).toEqual({ a: 1 });
    },
  );

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'application/json-patch+json', ''])(
    'refuses the content type %j with 400 invalid_request',
    (contentType) => {
      // Act
      const error = invalidRequestFrom(() => readJsonObject(request('{"a":1}', contentType)));

      // Assess
      expect(error.description).toContain('Content-Type: application/json');
    },
  );

  it('refuses a request without a content type', () => {
    // Act
    const error = invalidRequestFrom(() => readJsonObject(request('{"a":1}', null)));

    // Assess
    expect(error.description).toBe('the request must have Content-Type: application/json');
  });

  it('names the content type it got, cut short when long', () => {
    // Act
    const error = invalidRequestFrom(() => readJsonObject(request('{}', `text/plain; ${'x'.repeat(200)}`)));

    // Assess
    expect(error.description).toContain('not text/plain');
    expect(error.description.length).toBeLessThan(150);
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['only whitespace', ' \n\t'],
  ])('refuses a body that is %s', (_case, body) => {
    // Act
    const error = invalidRequestFrom(() => readJsonObject(request(body)));

    // Assess
    expect(error.description).toMatch(/empty/);
  });

  it.each(['{"client_name":', "{'a':1}", '{"a":1}}', 'client_name=x', '{"a":1,}'])('refuses invalid JSON %j', (body) => {
    // Act
    const error = invalidRequestFrom(() => readJsonObject(request(body)));

    // Assess
    expect(error.description).toBe('the request body is not valid JSON');
  });

  it.each([
    ['an array', '[{"client_name":"x"}]'],
    ['null', 'null'],
    ['a string', '"client"'],
    ['a number', '42'],
    ['a boolean', 'true'],
  ])('refuses a JSON body that is %s', (_case, body) => {
    // Act
    const error = invalidRequestFrom(() => readJsonObject(request(body)));

    // Assess
    expect(error.description).toBe('the request body must be a JSON object');
  });

  it('accepts an empty JSON object (the metadata rules decide what is required)', () => {
    expect(readJsonObject(request('{}'))).toEqual({});
  });
});
