import { describe, expect, it } from 'vitest';
import {
  invalidClientMetadata,
  invalidRedirectUri,
  invalidRequest,
  invalidSoftwareStatement,
  invalidToken,
  type RegistrationError,
  serverError,
  temporarilyUnavailable,
  unapprovedSoftwareStatement,
} from '../../lib/errors.js';

// The error factories take the standard ErrorOptions: a cause rides along as Error's own `cause`
// (what the request log line of a 5xx describes), and the headers a factory sets stay.

describe('error factories with a cause', () => {
  const cause = new Error('the failure underneath');

  it.each<[string, (options: ErrorOptions) => RegistrationError]>([
    ['invalidRequest', (options) => invalidRequest('bad', options)],
    ['invalidClientMetadata', (options) => invalidClientMetadata('bad', options)],
    ['invalidRedirectUri', (options) => invalidRedirectUri('bad', options)],
    ['invalidSoftwareStatement', (options) => invalidSoftwareStatement('bad', options)],
    ['unapprovedSoftwareStatement', (options) => unapprovedSoftwareStatement('bad', options)],
    ['invalidToken', (options) => invalidToken('bad', options)],
    ['temporarilyUnavailable', (options) => temporarilyUnavailable('bad', 5, options)],
    ['serverError', (options) => serverError(options)],
  ])('%s keeps the cause, as a standard non-enumerable Error cause', (_, make) => {
    const error = make({ cause });

    expect(error.cause).toBe(cause);
    expect(Object.getOwnPropertyDescriptor(error, 'cause')).toMatchObject({ enumerable: false });
    expect(Object.hasOwn(make({}), 'cause')).toBe(false);
  });

  it('keeps the headers a factory sets beside the cause', () => {
    expect(temporarilyUnavailable('busy', 7, { cause }).headers).toEqual({ 'Retry-After': '7' });
    expect(invalidToken('expired', { cause }).headers).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_token", error_description="expired"',
    });
  });
});
