import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { insufficientScope, invalidToken, temporarilyUnavailable } from '../errors.js';

/** Which form the token had: a JWT of the issuer, an opaque token checked by introspection, or one of this service. */
export type AccessTokenKind = 'jwt' | 'introspection' | 'service';

export interface VerifiedAccessToken {
  /** Absent only where a test builds a token by hand. */
  readonly kind?: AccessTokenKind;
  readonly subject?: string;
  readonly scopes: readonly string[];
  /**
   * The JWT payload, the introspection answer, or (tokens of this service) iss, sub, scope, jti, iat,
   * exp and `dcr_policies` when the token names extra registration policies.
   */
  readonly claims: JWTPayload;
  /**
   * Tokens with a number of uses: takes one use (a conditional write), throwing invalid_token when
   * none is left. Called only once the registration is otherwise accepted, so a rejected request uses
   * up nothing; `restore` gives the use back if the client could not be stored after all.
   */
  readonly consume?: () => Promise<void>;
  readonly restore?: () => Promise<void>;
}

/** Port: checks an initial access token and says what it grants; throws invalid_token otherwise. */
export interface InitialAccessTokenVerifier {
  verify(token: string): Promise<VerifiedAccessToken>;
}

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Expected `aud`; not checked when absent. */
  readonly audience?: string;
  readonly clockToleranceSeconds?: number;
  /** A key set to use instead of fetching jwksUri (tests, the local development issuer). */
  readonly keySet?: JWTVerifyGetKey;
  /** Milliseconds since the epoch (tests). */
  readonly now?: () => number;
}

// Asymmetric algorithms only: an HMAC-signed token would mean sharing the issuer's key with us.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

// A developer or pipeline registers many clients with one token: a verified token is remembered
// (by its exact text) until it expires, at most this long, so the signature check runs once.
const VERIFIED_CACHE_MS = 5 * 60_000;
const VERIFIED_CACHE_ENTRIES = 1_000;

/**
 * Initial access tokens that are JWTs signed by the authorization server. The JWKS is fetched once
 * and cached by jose; an unknown `kid` triggers a refetch (at most every 30 s).
 */
export class JwtInitialAccessTokenVerifier implements InitialAccessTokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly verified = new Map<string, { token: VerifiedAccessToken; until: number }>();
  private readonly now: () => number;

  constructor(private readonly options: JwtVerifierOptions) {
    this.now = options.now ?? Date.now;
    this.keys =
      options.keySet ??
      createRemoteJWKSet(new URL(options.jwksUri), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const now = this.now();
    const remembered = this.verified.get(token);
    if (remembered && now < remembered.until) return remembered.token;
    if (remembered) this.verified.delete(token);

    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp'],
        currentDate: new Date(now),
      }));
    } catch (error) {
      throw describeFailure(error);
    }
    const verified: VerifiedAccessToken = { kind: 'jwt', subject: claims.sub, scopes: scopesOf(claims), claims };
    this.remember(token, verified, Math.min(claims.exp! * 1000, now + VERIFIED_CACHE_MS));
    return verified;
  }

  private remember(token: string, verified: VerifiedAccessToken, until: number): void {
    // Map keeps insertion order: the first key is the oldest entry
    if (this.verified.size >= VERIFIED_CACHE_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { token: verified, until });
  }
}

/** jose error codes -> what the caller is told. Branches on `code`, never on message text. */
function describeFailure(error: unknown): Error {
  const code = (error as { code?: string }).code;
  const claim = (error as { claim?: string }).claim;
  const reason = (error as { reason?: string }).reason;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return invalidToken('the initial access token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return invalidToken(`the initial access token has no ${claim ?? 'required'} claim`);
      if (claim === 'iss') return invalidToken('the initial access token was not issued by the expected issuer');
      if (claim === 'aud') return invalidToken('the initial access token is not meant for this audience');
      if (claim === 'nbf') return invalidToken('the initial access token is not valid yet');
      return invalidToken(`the initial access token has an invalid ${claim ?? 'claim'} claim`);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return invalidToken('the initial access token signature does not verify with the issuer keys');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return invalidToken('the initial access token is signed with an algorithm that is not accepted');
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
    // jose raises its generic error only when the JWKS URL answers with something other than 200 and
    // JSON: the issuer is failing, not the token
    case 'ERR_JOSE_GENERIC':
      return temporarilyUnavailable('the issuer keys could not be fetched to verify the initial access token', 5);
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return invalidToken('the initial access token is not a valid signed JWT');
    default:
      // fetch failures of the JWKS URL surface as plain errors (TypeError, AbortError)
      if (code === undefined) return temporarilyUnavailable('the issuer keys could not be fetched to verify the initial access token', 5);
      return invalidToken('the initial access token is invalid');
  }
}

/** `scope` (space-separated string, RFC 8693/9068) or `scp` (array or string), whichever the issuer uses. */
export function scopesOf(claims: JWTPayload): string[] {
  const scopes = new Set<string>();
  const add = (value: unknown) => {
    const words = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
    for (const word of words) if (typeof word === 'string' && word) scopes.add(word);
  };
  add(claims.scope);
  add(claims.scp);
  return [...scopes];
}

/** The token must carry the required scope, or one scope of the group; no requirement when none is set. */
export function requireOneScope(token: VerifiedAccessToken, required: readonly string[]): void {
  if (required.length === 0) return;
  if (!required.some((scope) => token.scopes.includes(scope))) throw insufficientScope(required.join(' '));
}
