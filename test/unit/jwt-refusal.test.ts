import { errors } from 'jose';
import { describe, expect, it } from 'vitest';
import { invalidSoftwareStatement, invalidToken, RegistrationError } from '../../lib/errors.js';
import { type JwtRefusal, jwtRefusal } from '../../lib/tokens/jwt-refusal.js';

// jose's real error classes, read by their stable code: each failure gets the caller's error kind and
// a description naming the JWT the caller's way; key fetch failures are a 503 whatever the caller.

const TOKEN: JwtRefusal = { subject: 'the token', refuse: invalidToken, keysUnavailable: 'the keys could not be fetched' };
const STATEMENT: JwtRefusal = { ...TOKEN, subject: 'the statement', refuse: invalidSoftwareStatement };
const PAYLOAD = { iss: 'https://issuer.example' };

describe('jwtRefusal', () => {
  it.each<[string, unknown, string]>([
    ['expired', new errors.JWTExpired('"exp" claim timestamp check failed', PAYLOAD, 'exp', 'check_failed'), 'has expired'],
    ['a missing claim', new errors.JWTClaimValidationFailed('missing required "exp" claim', PAYLOAD, 'exp', 'missing'), 'has no exp claim'],
    [
      'another issuer',
      new errors.JWTClaimValidationFailed('unexpected "iss" claim value', PAYLOAD, 'iss', 'check_failed'),
      'was not issued by the expected issuer',
    ],
    [
      'another audience',
      new errors.JWTClaimValidationFailed('unexpected "aud" claim value', PAYLOAD, 'aud', 'check_failed'),
      'is not meant for this server (aud)',
    ],
    [
      'not valid yet',
      new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', PAYLOAD, 'nbf', 'check_failed'),
      'is not valid yet',
    ],
    [
      'another typ',
      new errors.JWTClaimValidationFailed('unexpected "typ" JWT header value', PAYLOAD, 'typ', 'check_failed'),
      'does not have the expected typ header',
    ],
    [
      'another claim',
      new errors.JWTClaimValidationFailed('"iat" claim must be a number', PAYLOAD, 'iat', 'invalid'),
      'has an invalid iat claim',
    ],
    ['a bad signature', new errors.JWSSignatureVerificationFailed(), 'signature does not verify with the issuer keys'],
    ['no matching key', new errors.JWKSNoMatchingKey(), 'signature does not verify with the issuer keys'],
    [
      'an algorithm not allowed',
      new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed'),
      'is signed with an algorithm that is not accepted here',
    ],
    ['a malformed JWT', new errors.JWTInvalid('Invalid JWT'), 'is not a valid signed JWT'],
    ['a malformed JWS', new errors.JWSInvalid('Invalid Compact JWS'), 'is not a valid signed JWT'],
    ['an unsupported algorithm', new errors.JOSENotSupported('Unsupported "alg" value'), 'is not a valid signed JWT'],
    ['another jose error', new errors.JWKInvalid('Invalid JWK'), 'is invalid'],
  ])('%s: the caller kind of refusal, its wording, the jose error as cause', (_, failure, phrase) => {
    const asToken = jwtRefusal(failure, TOKEN);
    const asStatement = jwtRefusal(failure, STATEMENT);

    expect({ status: asToken.status, error: asToken.error, description: asToken.description }).toEqual({
      status: 401,
      error: 'invalid_token',
      description: `the token ${phrase}`,
    });
    expect({ status: asStatement.status, error: asStatement.error, description: asStatement.description }).toEqual({
      status: 400,
      error: 'invalid_software_statement',
      description: `the statement ${phrase}`,
    });
    expect(asToken.cause).toBe(failure);
  });

  it.each<[string, unknown]>([
    ['a JWKS timeout', new errors.JWKSTimeout()],
    ['an invalid JWKS', new errors.JWKSInvalid('JSON Web Key Set malformed')],
    ['a JWKS URL answering other than 200', new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response')],
    ['a fetch failure (no code)', new TypeError('fetch failed')],
  ])('%s: 503 temporarily_unavailable, whatever the caller', (_, failure) => {
    const error = jwtRefusal(failure, STATEMENT);

    expect(error).toBeInstanceOf(RegistrationError);
    expect({ status: error.status, error: error.error, description: error.description, headers: error.headers }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
      description: 'the keys could not be fetched',
      headers: { 'Retry-After': '5' },
    });
    expect(error.cause).toBe(failure);
  });

  it('reads the code, not the message', () => {
    const expiredWording = new errors.JWTInvalid('"exp" claim timestamp check failed');

    expect(jwtRefusal(expiredWording, TOKEN).description).toBe('the token is not a valid signed JWT');
  });

  it('lets the caller change a phrase', () => {
    const refusal = { ...TOKEN, phrases: { wrongAudience: 'is not meant for this audience' } };
    const failure = new errors.JWTClaimValidationFailed('unexpected "aud" claim value', PAYLOAD, 'aud', 'check_failed');

    expect(jwtRefusal(failure, refusal).description).toBe('the token is not meant for this audience');
  });
});
