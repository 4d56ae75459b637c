// The introspection verifier's checks and caching, with the HTTP exchange replaced by a recording
// fetch function (no I/O here): each test shapes the endpoint's answer and reads the request it got.
// test/integration/iat-introspection.test.ts runs the same verifier against a real local endpoint.
import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { IntrospectionInitialAccessTokenVerifier, type IntrospectionVerifierOptions } from '../../lib/tokens/introspection-verifier.js';
import { staticSecret } from '../../lib/tokens/secret-source.js';

const ENDPOINT = 'https://as.example.com/introspect';
const ISSUER = 'https://as.example.com';
const CLIENT_ID = 'dcr-service';
const CLIENT_SECRET = 'se:cret +/%';
const START = 1_700_000_000_000;

type Answer = { status?: number; body?: unknown; text?: string };

class FakeEndpoint {
  requests: { url: string; init: RequestInit }[] = [];
  answer: Answer | (() => Promise<Response>) = { body: { active: true, scope: 'dcr:register', sub: 'team-a' } };

  readonly fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    this.requests.push({ url: String(url), init: init ?? {} });
    if (typeof this.answer === 'function') return this.answer();
    const { status = 200, body, text } = this.answer;
    return new Response(text ?? JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

class Clock {
  millis = START;
  readonly now = () => this.millis;
}

function setUp(options: Partial<IntrospectionVerifierOptions> = {}) {
  const endpoint = new FakeEndpoint();
  const clock = new Clock();
  let invalidations = 0;
  const verifier = new IntrospectionInitialAccessTokenVerifier({
    endpoint: ENDPOINT,
    clientId: CLIENT_ID,
    clientSecret: { get: () => Promise.resolve(CLIENT_SECRET), invalidate: () => void invalidations++ },
    fetch: endpoint.fetch,
    now: clock.now,
    ...options,
  });
  return { endpoint, clock, verifier, invalidations: () => invalidations };
}

async function failureOf(promise: Promise<unknown>): Promise<RegistrationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RegistrationError);
  return error as RegistrationError;
}

async function expectInvalidToken(promise: Promise<unknown>, description: RegExp): Promise<void> {
  const error = await failureOf(promise);
  expect({ status: error.status, error: error.error }).toEqual({ status: 401, error: 'invalid_token' });
  expect(error.description).toMatch(description);
  expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
}

async function expectUnavailable(promise: Promise<unknown>, description: RegExp): Promise<RegistrationError> {
  const error = await failureOf(promise);
  expect({ status: error.status, error: error.error }).toEqual({ status: 503, error: 'temporarily_unavailable' });
  expect(error.headers['Retry-After']).toMatch(/^\d+$/);
  expect(error.description).toMatch(description);
  return error;
}

const seconds = (millis: number) => Math.floor(millis / 1000);

describe('IntrospectionInitialAccessTokenVerifier: the request', () => {
  it('POSTs the token as a form with token_type_hint=access_token, authenticated with client_secret_basic', async () => {
    const { endpoint, verifier } = setUp();

    await verifier.verify('opaque-token-1');

    expect(endpoint.requests).toHaveLength(1);
    const [{ url, init }] = endpoint.requests as [{ url: string; init: RequestInit }];
    const headers = init.headers as Record<string, string>;
    expect({ url, method: init.method, contentType: headers['content-type'], redirect: init.redirect }).toEqual({
      url: ENDPOINT,
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      redirect: 'manual',
    });
    expect(Object.fromEntries(new URLSearchParams(String(init.body)))).toEqual({
      token: 'opaque-token-1',
      token_type_hint: 'access_token',
    });
    // RFC 6749 §2.3.1: each part form-urlencoded, then joined with ':' and base64-encoded
    const decoded = Buffer.from(headers.authorization!.replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(decoded).toBe('dcr-service:se%3Acret+%2B%2F%25');
  });
});

describe('IntrospectionInitialAccessTokenVerifier: answers', () => {
  it('accepts an active token and reports subject, scopes and the answer as claims', async () => {
    const { endpoint, verifier } = setUp();
    endpoint.answer = { body: { active: true, scope: 'dcr:register openid', sub: 'team-a', iss: ISSUER, client_id: 'pipeline' } };

    const verified = await verifier.verify('t');

    expect(verified).toEqual({
      kind: 'introspection',
      subject: 'team-a',
      scopes: ['dcr:register', 'openid'],
      claims: { scope: 'dcr:register openid', sub: 'team-a', iss: ISSUER, client_id: 'pipeline' },
    });
  });

  it.each<[string, Record<string, unknown>, Partial<IntrospectionVerifierOptions>, RegExp]>([
    ['inactive', { active: false }, {}, /not active/],
    ['of another issuer', { active: true, iss: 'https://evil.example' }, { issuer: ISSUER }, /issuer/],
    ['without the configured audience', { active: true, aud: ['https://other.example'] }, { audience: 'https://dcr.example' }, /audience/],
    ['without any audience when one is configured', { active: true }, { audience: 'https://dcr.example' }, /audience/],
    ['expired (beyond the clock tolerance)', { active: true, exp: seconds(START) - 31 }, {}, /expired/],
    ['not valid yet', { active: true, nbf: seconds(START) + 3600 }, {}, /not valid yet/],
    ['a refresh token', { active: true, token_type: 'refresh_token' }, {}, /bearer access token/],
    ['a DPoP-bound token', { active: true, token_type: 'DPoP' }, {}, /bearer access token/],
  ])('refuses a token that is %s: 401 invalid_token', async (_what, answer, options, reason) => {
    const { endpoint, verifier } = setUp(options);
    endpoint.answer = { body: answer };

    await expectInvalidToken(verifier.verify('t'), reason);
  });

  it.each<[string, Record<string, unknown>, Partial<IntrospectionVerifierOptions>]>([
    ['without iss when an issuer is configured (iss is optional in RFC 7662)', { active: true }, { issuer: ISSUER }],
    ['of the configured issuer', { active: true, iss: ISSUER }, { issuer: ISSUER }],
    ['with the audience among others', { active: true, aud: ['x', 'https://dcr.example'] }, { audience: 'https://dcr.example' }],
    ['with token_type Bearer', { active: true, token_type: 'Bearer' }, {}],
    ['with token_type access_token', { active: true, token_type: 'access_token' }, {}],
    ['that expired within the clock tolerance', { active: true, exp: seconds(START) - 5 }, {}],
  ])('accepts a token %s', async (_what, answer, options) => {
    const { endpoint, verifier } = setUp(options);
    endpoint.answer = { body: answer };

    await expect(verifier.verify('t')).resolves.toMatchObject({ kind: 'introspection' });
  });

  it.each<[string, Answer | (() => Promise<Response>), RegExp]>([
    ['a 500', { status: 500, text: 'oops' }, /answered 500/],
    ['a redirect', { status: 302, text: '' }, /answered 302/],
    ['a body that is not JSON', { text: '<html>maintenance</html>' }, /not an RFC 7662/],
    ['JSON without a boolean active', { body: { active: 'yes' } }, /not an RFC 7662/],
    ['a JSON array', { body: [] }, /not an RFC 7662/],
    ['a network failure', () => Promise.reject(new TypeError('fetch failed')), /could not be reached/],
  ])('answers 503 temporarily_unavailable when the endpoint gives %s', async (_what, answer, reason) => {
    const { endpoint, verifier } = setUp();
    endpoint.answer = answer;

    await expectUnavailable(verifier.verify('t'), reason);
  });

  it.each<[string, Answer]>([
    ['401', { status: 401, body: { error: 'invalid_client' } }],
    ['403', { status: 403, text: '' }],
    ['400 invalid_client', { status: 400, body: { error: 'invalid_client' } }],
  ])(
    'endpoint %s (our credentials refused): 503 naming our configuration, never the secret; the secret is re-read',
    async (_what, answer) => {
      const { endpoint, verifier, invalidations } = setUp();
      endpoint.answer = answer;

      const error = await expectUnavailable(verifier.verify('t'), /DCR_IAT_INTROSPECTION_CLIENT_ID.*configuration error of this service/);

      expect(JSON.stringify({ description: error.description, headers: error.headers })).not.toContain('se:cret');
      expect(invalidations()).toBe(1);
    },
  );

  it('a failure to read the client secret is passed on as it is (the secret source gives the 503)', async () => {
    const { endpoint, verifier } = setUp({
      clientSecret: { get: () => Promise.reject(new RegistrationError(503, 'temporarily_unavailable', 'secret unreadable')) },
    });

    const error = await failureOf(verifier.verify('t'));

    expect(error.description).toBe('secret unreadable');
    expect(endpoint.requests).toHaveLength(0);
  });
});

describe('IntrospectionInitialAccessTokenVerifier: caching', () => {
  it('reuses a positive answer for the same token until the cache time (60 s by default), then asks again', async () => {
    const { endpoint, clock, verifier } = setUp();

    await verifier.verify('t');
    clock.millis += 59_000;
    await verifier.verify('t');
    const beforeExpiry = endpoint.requests.length;
    clock.millis += 1_000;
    await verifier.verify('t');

    expect({ beforeExpiry, after: endpoint.requests.length }).toEqual({ beforeExpiry: 1, after: 2 });
  });

  it('never reuses an answer past the token exp, even within the cache time', async () => {
    const { endpoint, clock, verifier } = setUp();
    endpoint.answer = { body: { active: true, exp: seconds(START) + 10 } };

    await verifier.verify('t');
    clock.millis += 9_000;
    await verifier.verify('t');
    const beforeExp = endpoint.requests.length;
    clock.millis += 1_000;
    endpoint.answer = { body: { active: false } };
    await expectInvalidToken(verifier.verify('t'), /not active/);

    expect({ beforeExp, after: endpoint.requests.length }).toEqual({ beforeExp: 1, after: 2 });
  });

  it('follows the configured cache time; 0 turns caching off', async () => {
    const short = setUp({ cacheSeconds: 5 });
    await short.verifier.verify('t');
    short.clock.millis += 5_000;
    await short.verifier.verify('t');

    const off = setUp({ cacheSeconds: 0 });
    await off.verifier.verify('t');
    await off.verifier.verify('t');

    expect({ short: short.endpoint.requests.length, off: off.endpoint.requests.length }).toEqual({ short: 2, off: 2 });
  });

  it('does not remember negative answers: a token that becomes active is accepted at once', async () => {
    const { endpoint, verifier } = setUp();
    endpoint.answer = { body: { active: false } };
    await expectInvalidToken(verifier.verify('t'), /not active/);
    endpoint.answer = { body: { active: true } };

    await verifier.verify('t');

    expect(endpoint.requests).toHaveLength(2);
  });

  it('keys the cache by the exact token: another token is introspected on its own', async () => {
    const { endpoint, verifier } = setUp();

    await verifier.verify('t1');
    await verifier.verify('t2');
    await verifier.verify('t1');

    expect(endpoint.requests.map(({ init }) => new URLSearchParams(String(init.body)).get('token'))).toEqual(['t1', 't2']);
  });

  it('does not cache a refused token (wrong issuer) either', async () => {
    const { endpoint, verifier } = setUp({ issuer: ISSUER });
    endpoint.answer = { body: { active: true, iss: 'https://evil.example' } };

    await expectInvalidToken(verifier.verify('t'), /issuer/);
    await expectInvalidToken(verifier.verify('t'), /issuer/);

    expect(endpoint.requests).toHaveLength(2);
  });

  it('works with a static secret source', async () => {
    const { endpoint, verifier } = setUp({ clientSecret: staticSecret('plain') });

    await verifier.verify('t');

    const headers = endpoint.requests[0]!.init.headers as Record<string, string>;
    expect(Buffer.from(headers.authorization!.slice('Basic '.length), 'base64').toString()).toBe(`${CLIENT_ID}:plain`);
  });
});
