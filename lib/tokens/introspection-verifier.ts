import type { JWTPayload } from 'jose';
import { invalidToken, type RegistrationError, temporarilyUnavailable } from '../errors.js';
import { log } from '../log.js';
import { boundedCall, TIME_BUDGET } from '../time-budget.js';
import { ExpiringCache } from './expiring-cache.js';
import { type InitialAccessTokenVerifier, scopesOf, type VerifiedAccessToken } from './initial-access-token.js';
import type { SecretSource } from './secret-source.js';
import { hashSecret } from './secrets.js';

export interface IntrospectionVerifierOptions {
  /** The authorization server's RFC 7662 endpoint. */
  readonly endpoint: string;
  /** This service's client at the authorization server (client_secret_basic). */
  readonly clientId: string;
  readonly clientSecret: SecretSource;
  /** Expected `iss` of the answer; a different one is refused, an absent one accepted (RFC 7662 makes it optional). */
  readonly issuer?: string;
  /** Expected `aud` (string or array); when set, an answer without it is refused. */
  readonly audience?: string;
  /** Longest time a positive answer is reused, in seconds (default 60); never past the token's `exp`. 0 turns caching off. */
  readonly cacheSeconds?: number;
  /** Default TIME_BUDGET.remoteCallMs; never past the request's deadline. */
  readonly timeoutMs?: number;
  readonly clockToleranceSeconds?: number;
  /** Milliseconds since the epoch (tests). */
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

const DEFAULT_CACHE_SECONDS = 60;
const CACHE_ENTRIES = 1_000;
// Token types that mean "a bearer access token" (RFC 6749 §7.1 names, and RFC 8693's URI). A
// refresh token or a sender-constrained (DPoP) token must not pass as one: no proof is checked here.
const ACCESS_TOKEN_TYPES = new Set(['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token']);
// The caller cannot fix these; a short Retry-After for outages, a longer one for our own misconfiguration.
const OUTAGE_RETRY_SECONDS = 5;
const MISCONFIGURED_RETRY_SECONDS = 60;

type IntrospectionAnswer = JWTPayload & { active?: unknown; token_type?: unknown };

/**
 * Opaque initial access tokens, checked by OAuth 2.0 Token Introspection (RFC 7662): a form POST of the
 * token to the authorization server, authenticated as this service's client. Positive answers are
 * remembered by the token's SHA-256 until the token expires, at most `cacheSeconds`, so a pipeline
 * registering many clients with one token costs one call; negative answers are never remembered
 * (a token activated a moment later works at once, and an attacker's guesses are not stored).
 */
export class IntrospectionInitialAccessTokenVerifier implements InitialAccessTokenVerifier {
  private readonly cache = new ExpiringCache<VerifiedAccessToken>(CACHE_ENTRIES);
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly cacheMs: number;
  private readonly toleranceSeconds: number;

  constructor(private readonly options: IntrospectionVerifierOptions) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.cacheMs = (options.cacheSeconds ?? DEFAULT_CACHE_SECONDS) * 1000;
    this.toleranceSeconds = options.clockToleranceSeconds ?? 30;
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const key = hashSecret(token);
    const remembered = this.cache.get(key, this.now());
    if (remembered) return remembered;

    const answer = await this.introspect(token);
    const now = this.now();
    const verified = this.accept(answer, now);
    const expiresAt = typeof answer.exp === 'number' ? answer.exp * 1000 : Number.POSITIVE_INFINITY;
    this.cache.set(key, verified, Math.min(expiresAt, now + this.cacheMs), now);
    return verified;
  }

  /** What the endpoint says about the token; a 503 when it cannot say (down, slow, refusing us). */
  private async introspect(token: string): Promise<IntrospectionAnswer> {
    const secret = await this.options.clientSecret.get();
    let status: number;
    let text: string;
    try {
      ({ status, text } = await boundedCall(this.options.timeoutMs ?? TIME_BUDGET.remoteCallMs, async (signal) => {
        const response = await this.fetch(this.options.endpoint, {
          method: 'POST',
          headers: {
            authorization: basicAuthorization(this.options.clientId, secret),
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
          // a redirect would carry our credentials somewhere we did not configure
          redirect: 'manual',
          signal,
        });
        return { status: response.status, text: await response.text() };
      }));
    } catch (error) {
      log('error', 'token introspection failed', { reason: 'unreachable', error: (error as Error).name });
      throw unavailable('the token introspection endpoint could not be reached to check the initial access token', { cause: error });
    }
    if (status === 401 || status === 403 || (status === 400 && oauthError(text) === 'invalid_client')) {
      this.options.clientSecret.invalidate?.();
      log('error', "token introspection refused this service's client credentials", { status });
      throw temporarilyUnavailable(
        "the token introspection endpoint refused this service's own client credentials " +
          '(DCR_IAT_INTROSPECTION_CLIENT_ID and its secret): a configuration error of this service, not of the initial access token',
        MISCONFIGURED_RETRY_SECONDS,
      );
    }
    if (status !== 200) {
      log('error', 'token introspection failed', { reason: 'status', status });
      throw unavailable(`the token introspection endpoint answered ${status} instead of checking the initial access token`);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (
      typeof answer !== 'object' ||
      answer === null ||
      Array.isArray(answer) ||
      typeof (answer as IntrospectionAnswer).active !== 'boolean'
    ) {
      log('error', 'token introspection failed', { reason: 'malformed answer' });
      throw unavailable('the token introspection endpoint gave an answer that is not an RFC 7662 introspection response');
    }
    return answer as IntrospectionAnswer;
  }

  /** The checks on an answer; each refusal names its reason, as the JWT verifier's do. */
  private accept(answer: IntrospectionAnswer, now: number): VerifiedAccessToken {
    if (answer.active !== true) throw invalidToken('the initial access token is not active');
    const nowSeconds = now / 1000;
    if (typeof answer.token_type === 'string' && !ACCESS_TOKEN_TYPES.has(answer.token_type.toLowerCase())) {
      throw invalidToken('the initial access token is not a bearer access token');
    }
    if (this.options.issuer !== undefined && answer.iss !== undefined && answer.iss !== this.options.issuer) {
      throw invalidToken('the initial access token was not issued by the expected issuer');
    }
    if (this.options.audience !== undefined && !audiences(answer.aud).includes(this.options.audience)) {
      throw invalidToken('the initial access token is not meant for this audience');
    }
    if (typeof answer.exp === 'number' && answer.exp <= nowSeconds - this.toleranceSeconds) {
      throw invalidToken('the initial access token has expired');
    }
    if (typeof answer.nbf === 'number' && answer.nbf > nowSeconds + this.toleranceSeconds) {
      throw invalidToken('the initial access token is not valid yet');
    }
    const { active: _active, ...claims } = answer;
    return { kind: 'introspection', subject: typeof claims.sub === 'string' ? claims.sub : undefined, scopes: scopesOf(claims), claims };
  }
}

function unavailable(description: string, options?: ErrorOptions): RegistrationError {
  return temporarilyUnavailable(description, OUTAGE_RETRY_SECONDS, options);
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded. */
function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`, 'utf8').toString('base64')}`;
}

function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((item): item is string => typeof item === 'string') : [];
}

/** The `error` of an OAuth error body, if the body is one. */
function oauthError(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body?.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}
