// Real keys (jose generateKeyPair) and a real JWKS endpoint: a node:http server on 127.0.0.1 that
// counts the requests it receives, so the tests see exactly when the verifier fetches the key set.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import {
  JwtInitialAccessTokenVerifier,
  type JwtVerifierOptions,
  scopesOf,
  type VerifiedAccessToken,
} from '../../lib/tokens/initial-access-token.js';
import { requireOneScope } from '../../lib/tokens/required-scope.js';
import { thrownBy } from '../support/thrown.js';

const ISSUER = 'https://as.example.com';
const AUDIENCE = 'https://dcr.example.com';
const ALG = 'ES256';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG);
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' } };
}

type Mode = 'serve' | 'fail' | 'not-json';

/** The issuer's JWKS endpoint: serves `keys`, counts requests, and can be made to fail. */
class JwksServer {
  keys: JWK[] = [];
  mode: Mode = 'serve';
  requests = 0;
  private readonly server: Server = createServer((request, response) => {
    this.requests += 1;
    if (request.url !== '/jwks' || this.mode === 'fail') {
      response.writeHead(request.url === '/jwks' ? 500 : 404).end();
    } else if (this.mode === 'not-json') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
    }
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get jwksUri(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}

interface TokenOptions {
  readonly key?: SigningKey;
  readonly claims?: JWTPayload;
  /** Seconds from now; null leaves exp out. */
  readonly expiresIn?: number | null;
  readonly notBefore?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

async function token(options: TokenOptions = {}): Promise<string> {
  const key = options.key ?? currentKey;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: 'dcr:register', ...options.claims })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(options.issuer ?? ISSUER)
    .setSubject('developer-1')
    .setIssuedAt(now);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key.privateKey);
}

function unsignedToken(payload: JWTPayload): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

async function hmacToken(kid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'dcr:register' })
    .setProtectedHeader({ alg: 'HS256', kid })
    .setIssuer(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(new TextEncoder().encode('a shared secret that is long enough for HS256!'));
}

async function failureOf(promise: Promise<unknown>): Promise<RegistrationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RegistrationError);
  return error as RegistrationError;
}

/** 401 invalid_token, with the RFC 6750 challenge and a description matching `description`. */
async function expectInvalidToken(promise: Promise<unknown>, description: RegExp): Promise<void> {
  const error = await failureOf(promise);
  expect(error.status).toBe(401);
  expect(error.error).toBe('invalid_token');
  expect(error.description).toMatch(description);
  expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"(, |$)/);
}

async function expectUnavailable(promise: Promise<unknown>): Promise<void> {
  const error = await failureOf(promise);
  expect(error.status).toBe(503);
  expect(error.error).toBe('temporarily_unavailable');
  expect(error.headers['Retry-After']).toMatch(/^\d+$/);
  expect(error.description).toMatch(/issuer keys/);
}

const jwks = new JwksServer();
let currentKey: SigningKey;
let otherKey: SigningKey;

function verifier(options: Partial<JwtVerifierOptions> = {}): JwtInitialAccessTokenVerifier {
  return new JwtInitialAccessTokenVerifier({ issuer: ISSUER, jwksUri: jwks.jwksUri, ...options });
}

describe('JwtInitialAccessTokenVerifier', () => {
  beforeAll(async () => {
    currentKey = await signingKey('key-1');
    otherKey = await signingKey('key-2');
    await jwks.start();
  });

  afterAll(async () => {
    await jwks.close();
  });

  beforeEach(() => {
    jwks.keys = [currentKey.publicJwk];
    jwks.mode = 'serve';
    jwks.requests = 0;
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('verifies a valid token and reports its subject, scopes and claims', async () => {
    // Prepare
    const iat = await token({ claims: { scope: 'dcr:register openid' } });

    // Act
    const verified = await verifier().verify(iat);

    // Assess
    expect(verified.subject).toBe('developer-1');
    expect(verified.scopes).toEqual(['dcr:register', 'openid']);
    expect(verified.claims.iss).toBe(ISSUER);
  });

  it('fetches the JWKS once for many verifications, sequential and concurrent', async () => {
    // Prepare
    const tokens = await Promise.all(Array.from({ length: 10 }, () => token()));
    const iatVerifier = verifier();

    // Act
    await Promise.all(tokens.map((iat) => iatVerifier.verify(iat)));
    for (const iat of tokens) await iatVerifier.verify(iat);

    // Assess
    expect(jwks.requests).toBe(1);
  });

  it('fetches the JWKS again for an unknown kid once the issuer has rotated its keys, and verifies', async () => {
    // Prepare: jose refetches for an unknown kid at most every 30 s, so the clock (Date only) moves past that
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-01-01T00:00:00Z') });
    const iatVerifier = verifier();
    await iatVerifier.verify(await token());
    jwks.keys = [otherKey.publicJwk, currentKey.publicJwk];
    vi.setSystemTime(new Date('2030-01-01T00:00:31Z'));

    // Act
    const verified = await iatVerifier.verify(await token({ key: otherKey }));
    await iatVerifier.verify(await token({ key: otherKey }));
    await iatVerifier.verify(await token({ key: currentKey }));

    // Assess
    expect(verified.subject).toBe('developer-1');
    expect(jwks.requests).toBe(2);
  });

  it('does not refetch the JWKS for unknown kids within 30 s of the last fetch', async () => {
    // Prepare: a stream of made-up kids must not turn into a stream of requests to the issuer
    const iatVerifier = verifier();
    await iatVerifier.verify(await token());
    jwks.keys = [otherKey.publicJwk];

    // Act
    const attempts = [await token({ key: otherKey }), await token({ key: otherKey })].map((iat) => iatVerifier.verify(iat));

    // Assess
    for (const attempt of attempts) await expectInvalidToken(attempt, /signature does not verify/);
    expect(jwks.requests).toBe(1);
  });

  it('refuses a token whose kid the issuer does not publish', async () => {
    // Prepare
    const iat = await token({ key: otherKey });

    // Act
    const attempt = verifier().verify(iat);

    // Assess
    await expectInvalidToken(attempt, /signature does not verify with the issuer keys/);
  });

  it('refuses a token signed by another key under a published kid', async () => {
    // Prepare
    const forged = await token({ key: { ...otherKey, kid: currentKey.kid } });

    // Act
    const attempt = verifier().verify(forged);

    // Assess
    await expectInvalidToken(attempt, /signature does not verify with the issuer keys/);
  });

  it('refuses a token from another issuer', async () => {
    await expectInvalidToken(verifier().verify(await token({ issuer: 'https://evil.example.com' })), /not issued by the expected issuer/);
  });

  it('refuses a token without an issuer', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const iat = await new SignJWT({ scope: 'dcr:register' })
      .setProtectedHeader({ alg: ALG, kid: currentKey.kid })
      .setExpirationTime(now + 300)
      .sign(currentKey.privateKey);

    // Act / Assess
    await expectInvalidToken(verifier().verify(iat), /has no iss claim/);
  });

  it('refuses a token for another audience when an audience is configured', async () => {
    await expectInvalidToken(
      verifier({ audience: AUDIENCE }).verify(await token({ audience: 'https://other.example.com' })),
      /not meant for this audience/,
    );
  });

  it('refuses a token without an audience when an audience is configured', async () => {
    await expectInvalidToken(verifier({ audience: AUDIENCE }).verify(await token()), /has no aud claim/);
  });

  it('accepts a token for the configured audience', async () => {
    const verified = await verifier({ audience: AUDIENCE }).verify(await token({ audience: AUDIENCE }));
    expect(verified.claims.aud).toBe(AUDIENCE);
  });

  it('does not check the audience when none is configured', async () => {
    // Act
    const withAudience = await verifier().verify(await token({ audience: 'https://anything.example.com' }));
    const withoutAudience = await verifier().verify(await token());

    // Assess
    expect(withAudience.claims.aud).toBe('https://anything.example.com');
    expect(withoutAudience.claims.aud).toBeUndefined();
  });

  it('refuses an expired token', async () => {
    await expectInvalidToken(verifier().verify(await token({ expiresIn: -60 })), /has expired/);
  });

  it('accepts a token expired within the 30 s clock skew', async () => {
    await expect(verifier().verify(await token({ expiresIn: -25 }))).resolves.toMatchObject({ subject: 'developer-1' });
  });

  it('refuses a token that is not valid yet (nbf beyond the clock skew)', async () => {
    await expectInvalidToken(verifier().verify(await token({ notBefore: 60 })), /not valid yet/);
  });

  it('accepts a token whose nbf lies within the 30 s clock skew', async () => {
    await expect(verifier().verify(await token({ notBefore: 25 }))).resolves.toMatchObject({ subject: 'developer-1' });
  });

  it('honours a configured clock tolerance', async () => {
    // Prepare
    const strict = verifier({ clockToleranceSeconds: 0 });

    // Act / Assess
    await expectInvalidToken(strict.verify(await token({ expiresIn: -5 })), /has expired/);
  });

  it('refuses a token without exp', async () => {
    await expectInvalidToken(verifier().verify(await token({ expiresIn: null })), /has no exp claim/);
  });

  it('refuses an HS256-signed token (symmetric algorithms are not allowed)', async () => {
    await expectInvalidToken(verifier().verify(await hmacToken(currentKey.kid)), /algorithm that is not accepted/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const unsigned = unsignedToken({ iss: ISSUER, sub: 'developer-1', scope: 'dcr:register', iat: now, exp: now + 300 });

    // Act / Assess
    await expectInvalidToken(verifier().verify(unsigned), /algorithm that is not accepted/);
  });

  it.each([
    ['one segment', 'abc'],
    ['three segments that are not JSON', 'abc.def.ghi'],
    ['an empty string', ''],
    ['five segments (a JWE shape)', 'a.b.c.d.e'],
  ])('refuses a malformed token: %s', async (_case, malformed) => {
    await expectInvalidToken(verifier().verify(malformed), /not a valid signed JWT/);
  });

  it('refuses a token whose payload is not a JSON object', async () => {
    // Prepare: signed correctly, but the payload is a JSON array
    const { CompactSign } = await import('jose');
    const jws = await new CompactSign(new TextEncoder().encode('[1,2]'))
      .setProtectedHeader({ alg: ALG, kid: currentKey.kid })
      .sign(currentKey.privateKey);

    // Act / Assess
    await expectInvalidToken(verifier().verify(jws), /not a valid signed JWT/);
  });

  it('puts the description in the challenge as a quoted string', async () => {
    // Act
    const error = await failureOf(verifier().verify(await token({ expiresIn: -60 })));

    // Assess
    expect(error.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="the initial access token has expired"',
    );
  });

  it('answers 503 temporarily_unavailable when the JWKS server is down', async () => {
    // Prepare: a port that was just released, so the connection is refused
    const gone = new JwksServer();
    await gone.start();
    const jwksUri = gone.jwksUri;
    await gone.close();

    // Act / Assess
    await expectUnavailable(verifier({ jwksUri }).verify(await token()));
  });

  it('answers 503 temporarily_unavailable when the JWKS endpoint answers 500', async () => {
    // Prepare
    jwks.mode = 'fail';

    // Act / Assess
    await expectUnavailable(verifier().verify(await token()));
    expect(jwks.requests).toBe(1);
  });

  it('answers 503 temporarily_unavailable when the JWKS endpoint does not answer JSON', async () => {
    // Prepare
    jwks.mode = 'not-json';

    // Act / Assess
    await expectUnavailable(verifier().verify(await token()));
  });

  it('fetches the JWKS again on the next request after a failed fetch', async () => {
    // Prepare
    const iatVerifier = verifier();
    jwks.mode = 'fail';
    await expectUnavailable(iatVerifier.verify(await token()));
    jwks.mode = 'serve';

    // Act
    const verified = await iatVerifier.verify(await token());

    // Assess
    expect(verified.subject).toBe('developer-1');
    expect(jwks.requests).toBe(2);
  });
});

describe('scopesOf', () => {
  it('reads a space-separated scope string', () => {
    expect(scopesOf({ scope: 'dcr:register  openid profile' })).toEqual(['dcr:register', 'openid', 'profile']);
  });

  it('reads an scp array', () => {
    expect(scopesOf({ scp: ['dcr:register', 'openid'] })).toEqual(['dcr:register', 'openid']);
  });

  it('reads an scp string', () => {
    expect(scopesOf({ scp: 'dcr:register openid' })).toEqual(['dcr:register', 'openid']);
  });

  it('merges scope and scp without duplicates', () => {
    expect(scopesOf({ scope: 'a b', scp: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
  });

  it('ignores values that are not strings', () => {
    expect(scopesOf({ scope: 42, scp: ['a', 7, null, { b: 1 }] })).toEqual(['a']);
  });

  it('is empty when the token carries no scope', () => {
    expect(scopesOf({ sub: 'x' })).toEqual([]);
  });
});

describe('requireOneScope', () => {
  const carrying = (...scopes: string[]): VerifiedAccessToken => ({ scopes, claims: {} });

  function insufficient(act: () => void): RegistrationError {
    return thrownBy(act, RegistrationError);
  }

  it('passes when the token carries the one required scope', () => {
    expect(() => requireOneScope(carrying('openid', 'dcr:register'), ['dcr:register'])).not.toThrow();
  });

  it('passes when the token carries any one scope of the group', () => {
    expect(() => requireOneScope(carrying('b'), ['a', 'b', 'c'])).not.toThrow();
  });

  it('passes whatever the token carries when no scope is required', () => {
    expect(() => requireOneScope(carrying(), [])).not.toThrow();
  });

  it('answers 403 insufficient_scope naming the group when the token carries none of it', () => {
    // Act
    const error = insufficient(() => requireOneScope(carrying('openid', 'ab'), ['a', 'b']));

    // Assess
    expect(error.status).toBe(403);
    expect(error.error).toBe('insufficient_scope');
    expect(error.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="a b"');
    expect(error.description).toContain('a b');
  });

  it('answers 403 insufficient_scope for a token without scopes', () => {
    // Act
    const error = insufficient(() => requireOneScope(carrying(), ['dcr:register']));

    // Assess
    expect(error.status).toBe(403);
    expect(error.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="dcr:register"');
  });
});

describe('remembering verified tokens', () => {
  // A counting key resolver shows when the signature is checked again.
  async function countingVerifier(now: () => number) {
    const key = await signingKey('cache-key');
    const publicKey = await importJWK(key.publicJwk, ALG);
    let lookups = 0;
    const verifier = new JwtInitialAccessTokenVerifier({
      issuer: ISSUER,
      jwksUri: 'https://unused.example.com/jwks',
      now,
      keySet: async () => {
        lookups += 1;
        return publicKey;
      },
    });
    const mint = (lifetimeSeconds: number, issuedAt: number) =>
      new SignJWT({ scope: 'dcr:register' })
        .setProtectedHeader({ alg: ALG, kid: key.kid })
        .setIssuer(ISSUER)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetimeSeconds)
        .sign(key.privateKey);
    return { verifier, mint, lookups: () => lookups };
  }

  it('checks the signature of a token once, however often it is presented', async () => {
    const clock = Date.now();
    const { verifier, mint, lookups } = await countingVerifier(() => clock);
    const token = await mint(600, Math.floor(clock / 1000));

    for (let i = 0; i < 5; i++) expect((await verifier.verify(token)).scopes).toEqual(['dcr:register']);

    expect(lookups()).toBe(1);
  });

  it('forgets a remembered token when it expires, so an expired token is refused', async () => {
    let clock = Date.now();
    const { verifier, mint, lookups } = await countingVerifier(() => clock);
    const token = await mint(60, Math.floor(clock / 1000));
    await verifier.verify(token);

    clock += 60_000 + 31_000; // past exp and the 30 s clock tolerance

    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, description: 'the initial access token has expired' });
    expect(lookups()).toBe(2);
  });
});
