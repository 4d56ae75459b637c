import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { invalidToken } from '../errors.js';
import { boundedCall, TIME_BUDGET } from '../time-budget.js';
import { type JwtRefusal, jwtRefusal } from './jwt-refusal.js';

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
  /** The issuer's key set, made with jose on the first token (jose loads then, not at a cold start). */
  private keys?: Promise<JWTVerifyGetKey>;
  private readonly verified = new Map<string, { token: VerifiedAccessToken; until: number }>();
  private readonly now: () => number;

  constructor(private readonly options: JwtVerifierOptions) {
    this.now = options.now ?? Date.now;
    if (options.keySet) this.keys = Promise.resolve(options.keySet);
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= import('jose').then(({ createRemoteJWKSet }) =>
      createRemoteJWKSet(new URL(this.options.jwksUri), {
        timeoutDuration: TIME_BUDGET.remoteCallMs,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      }),
    );
    return this.keys;
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const now = this.now();
    const remembered = this.verified.get(token);
    if (remembered && now < remembered.until) return remembered.token;
    if (remembered) this.verified.delete(token);

    const [{ jwtVerify }, keys] = await Promise.all([import('jose'), this.keySet()]);
    let claims: JWTPayload;
    try {
      // a JWKS fetch is cut off by jose at remoteCallMs, and by the request's deadline here (lib/time-budget.ts)
      ({ payload: claims } = await boundedCall(TIME_BUDGET.remoteCallMs, () =>
        jwtVerify(token, keys, {
          issuer: this.options.issuer,
          audience: this.options.audience,
          algorithms: ALGORITHMS,
          clockTolerance: this.options.clockToleranceSeconds ?? 30,
          requiredClaims: ['exp'],
          currentDate: new Date(now),
        }),
      ));
    } catch (error) {
      throw jwtRefusal(error, REFUSAL);
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

/** How a refused initial access token is told: invalid_token, with the words this verifier has always used. */
const REFUSAL: JwtRefusal = {
  subject: 'the initial access token',
  refuse: invalidToken,
  keysUnavailable: 'the issuer keys could not be fetched to verify the initial access token',
  phrases: {
    wrongAudience: 'is not meant for this audience',
    algorithmNotAccepted: 'is signed with an algorithm that is not accepted',
  },
};

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
