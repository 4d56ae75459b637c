import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { bearerToken } from '../../lib/http/authorization.js';
import type { HttpRequest } from '../../lib/http/types.js';
import { thrownBy } from '../support/thrown.js';

function request(authorization?: string): HttpRequest {
  return {
    method: 'GET',
    headers: authorization === undefined ? {} : { authorization },
    pathParameters: {},
    body: null,
    baseUrl: 'https://dcr.example.com',
    requestId: 'request-1',
  };
}

function invalidTokenFrom(act: () => unknown): RegistrationError {
  const error = thrownBy(act, RegistrationError);
  expect(error.status).toBe(401);
  expect(error.error).toBe('invalid_token');
  expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
  return error;
}

describe('bearerToken', () => {
  it('returns the token of "Bearer <token>"', () => {
    expect(bearerToken(request('Bearer abc.DEF-ghi_jkl~mno+pqr/stu=='))).toBe('abc.DEF-ghi_jkl~mno+pqr/stu==');
  });

  it.each(['bearer abc', 'BEARER abc', 'BeArEr abc'])('reads the scheme case-insensitively: %j', (header) => {
    expect(bearerToken(request(header))).toBe('abc');
  });

  it('tolerates extra spaces around the token', () => {
    expect(bearerToken(request('Bearer   abc  '))).toBe('abc');
  });

  it('is undefined when no Authorization header was sent', () => {
    expect(bearerToken(request())).toBeUndefined();
  });

  it('is undefined for an empty Authorization header', () => {
    expect(bearerToken(request(''))).toBeUndefined();
    expect(bearerToken(request('   '))).toBeUndefined();
  });

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['no scheme', 'abc.def.ghi'],
    ['two tokens', 'Bearer abc def'],
    ['characters outside b64token', 'Bearer abc"def'],
    ['padding inside the token', 'Bearer ab=c'],
    ['the scheme glued to the token', 'Bearerabc'],
  ])('answers 401 invalid_token for %s', (_case, header) => {
    // Act
    const error = invalidTokenFrom(() => bearerToken(request(header)));

    // Assess
    expect(error.description).toContain('Bearer <token>');
  });
});
