import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { runtimeFromEnv } from '../../lib/runtime/from-env.js';
import { initialAccessTokensFromEnv } from '../../lib/runtime/initial-access-tokens.js';

// How the environment selects the initial access token forms. Building the verifiers does no I/O, so
// these tests only look at what is configured (the refusal of an unconfigured form names the others)
// and at the configuration errors, which must stop the runtime from loading.

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const OPAQUE = 'opaque-token';
const JWT_ENV = { DCR_IAT_ISSUER: 'https://as.example.com', DCR_IAT_JWKS_URI: 'https://as.example.com/jwks' };
const INTROSPECTION_ENV = {
  DCR_IAT_INTROSPECTION_URL: 'https://as.example.com/introspect',
  DCR_IAT_INTROSPECTION_CLIENT_ID: 'dcr',
  DCR_IAT_INTROSPECTION_CLIENT_SECRET: 'secret',
};

async function refusal(env: NodeJS.ProcessEnv, token: string): Promise<string> {
  const verifier = initialAccessTokensFromEnv(env);
  const error = await verifier!.verify(token).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RegistrationError);
  return (error as RegistrationError).description;
}

describe('initial access token forms from the environment', () => {
  it('configures none when no variable is set', () => {
    expect(initialAccessTokensFromEnv({})).toBeUndefined();
  });

  it('DCR_IAT_TABLE_NAME alone: tokens of this service only', async () => {
    expect(await refusal({ DCR_IAT_TABLE_NAME: 'tokens' }, JWT)).toMatch(/accepted: a token issued by this service\)$/);
  });

  it('issuer and JWKS: JWTs only', async () => {
    expect(await refusal(JWT_ENV, OPAQUE)).toMatch(/accepted: a JWT of the authorization server\)$/);
  });

  it('JWTs and introspection: every token but one of this service has a verifier', async () => {
    expect(await refusal({ ...JWT_ENV, ...INTROSPECTION_ENV }, 'dcriat_x')).toMatch(
      /accepted: a JWT of the authorization server, a token of the authorization server\)$/,
    );
  });

  it('all three forms together', () => {
    expect(initialAccessTokensFromEnv({ ...JWT_ENV, ...INTROSPECTION_ENV, DCR_IAT_TABLE_NAME: 'tokens' })).toBeDefined();
  });

  it('DCR_IAT_ISSUER without a JWKS is fine with introspection (it checks the answers iss)', () => {
    expect(initialAccessTokensFromEnv({ DCR_IAT_ISSUER: 'https://as.example.com', ...INTROSPECTION_ENV })).toBeDefined();
  });

  it('accepts the secret as an SSM parameter name instead of a value, and plain http on loopback', () => {
    const env = {
      ...INTROSPECTION_ENV,
      DCR_IAT_INTROSPECTION_CLIENT_SECRET: undefined,
      DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER: '/dcr/prod/introspection-secret',
      DCR_IAT_INTROSPECTION_URL: 'http://127.0.0.1:8080/introspect',
    };
    expect(initialAccessTokensFromEnv(env)).toBeDefined();
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['DCR_IAT_ISSUER alone', { DCR_IAT_ISSUER: 'https://as.example.com' }, /DCR_IAT_ISSUER and DCR_IAT_JWKS_URI go together/],
    ['DCR_IAT_JWKS_URI alone', { DCR_IAT_JWKS_URI: 'https://as.example.com/jwks' }, /DCR_IAT_JWKS_URI needs DCR_IAT_ISSUER/],
    [
      'an introspection URL alone',
      { DCR_IAT_INTROSPECTION_URL: 'https://as.example.com/i' },
      /half configured.*DCR_IAT_INTROSPECTION_CLIENT_ID.*DCR_IAT_INTROSPECTION_CLIENT_SECRET/,
    ],
    [
      'an introspection client without a secret',
      { ...INTROSPECTION_ENV, DCR_IAT_INTROSPECTION_CLIENT_SECRET: '' },
      /half configured.*CLIENT_SECRET/,
    ],
    ['only a cache time', { DCR_IAT_INTROSPECTION_CACHE_SECONDS: '30' }, /half configured.*DCR_IAT_INTROSPECTION_URL/],
    ['both a secret and a secret parameter', { ...INTROSPECTION_ENV, DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER: '/p' }, /not both/],
    ['plain http to another host', { ...INTROSPECTION_ENV, DCR_IAT_INTROSPECTION_URL: 'http://as.example.com/i' }, /must be an https URL/],
    ['a URL that is not one', { ...INTROSPECTION_ENV, DCR_IAT_INTROSPECTION_URL: 'as.example.com/i' }, /absolute https URL/],
    ['a negative cache time', { ...INTROSPECTION_ENV, DCR_IAT_INTROSPECTION_CACHE_SECONDS: '-1' }, /CACHE_SECONDS must be a number/],
    [
      'a cache time that is no number',
      { ...INTROSPECTION_ENV, DCR_IAT_INTROSPECTION_CACHE_SECONDS: '1m' },
      /CACHE_SECONDS must be a number/,
    ],
  ])('refuses %s at load time', (_what, env, message) => {
    expect(() => initialAccessTokensFromEnv(env)).toThrow(message);
    // the runtime does not load either: a half-configured form is never half-used
    expect(() => runtimeFromEnv(env)).toThrow(message);
  });

  it('never puts the introspection secret in a configuration error', () => {
    const env = {
      ...INTROSPECTION_ENV,
      DCR_IAT_INTROSPECTION_CLIENT_SECRET: 'do-not-print-me',
      DCR_IAT_INTROSPECTION_URL: 'http://as.example.com/i',
    };

    expect(() => initialAccessTokensFromEnv(env)).toThrow(/^(?!.*do-not-print-me)/s);
  });
});
