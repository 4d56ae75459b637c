import { type RegistrationError, temporarilyUnavailable } from '../errors.js';

// One reading of jose's verification errors (jwtVerify and its key sets) for every JWT this service
// checks. It branches on jose's stable `code` (and, for a failed claim, its `claim` and `reason`),
// never on message text; the caller chooses the error a refusal becomes and how the JWT is named.

/** What a description says after the JWT's name; a caller changes the few that read better otherwise. */
export interface JwtRefusalPhrases {
  readonly expired: string;
  readonly notYetValid: string;
  readonly wrongIssuer: string;
  readonly wrongAudience: string;
  readonly wrongType: string;
  readonly badSignature: string;
  readonly algorithmNotAccepted: string;
  readonly malformed: string;
  readonly invalid: string;
}

const DEFAULT_PHRASES: JwtRefusalPhrases = {
  expired: 'has expired',
  notYetValid: 'is not valid yet',
  wrongIssuer: 'was not issued by the expected issuer',
  wrongAudience: 'is not meant for this server (aud)',
  wrongType: 'does not have the expected typ header',
  badSignature: 'signature does not verify with the issuer keys',
  algorithmNotAccepted: 'is signed with an algorithm that is not accepted here',
  malformed: 'is not a valid signed JWT',
  invalid: 'is invalid',
};

// Retry-After of the 503 when the keys cannot be fetched: the issuer's endpoint is failing, not the JWT.
const KEYS_RETRY_SECONDS = 5;

export interface JwtRefusal {
  /** The JWT as descriptions name it: "the initial access token", "software_statement". */
  readonly subject: string;
  /** The error of a refused JWT, e.g. invalidToken or invalidSoftwareStatement. */
  readonly refuse: (description: string, options?: ErrorOptions) => RegistrationError;
  /** The description of the 503 answered when the verification keys cannot be fetched. */
  readonly keysUnavailable: string;
  readonly phrases?: Partial<JwtRefusalPhrases>;
}

/** The error to throw for a jose verification failure: the caller's refusal, or a 503 when the keys could not be fetched. */
export function jwtRefusal(error: unknown, refusal: JwtRefusal): RegistrationError {
  const phrases = { ...DEFAULT_PHRASES, ...refusal.phrases };
  const refuse = (phrase: string) => refusal.refuse(`${refusal.subject} ${phrase}`, { cause: error });
  const { code, claim, reason } = error as { code?: string; claim?: string; reason?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return refuse(phrases.expired);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return refuse(`has no ${claim ?? 'required'} claim`);
      if (claim === 'iss') return refuse(phrases.wrongIssuer);
      if (claim === 'aud') return refuse(phrases.wrongAudience);
      if (claim === 'nbf') return refuse(phrases.notYetValid);
      if (claim === 'typ') return refuse(phrases.wrongType);
      return refuse(claim ? `has an invalid ${claim} claim` : 'has an invalid claim');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return refuse(phrases.badSignature);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return refuse(phrases.algorithmNotAccepted);
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
    // jose raises its generic error only when a JWKS URL answers with something other than 200 and JSON
    case 'ERR_JOSE_GENERIC':
      return temporarilyUnavailable(refusal.keysUnavailable, KEYS_RETRY_SECONDS, { cause: error });
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return refuse(phrases.malformed);
    default:
      // fetch failures of a JWKS URL surface as plain errors (TypeError, AbortError), without a code
      if (code === undefined) return temporarilyUnavailable(refusal.keysUnavailable, KEYS_RETRY_SECONDS, { cause: error });
      return refuse(phrases.invalid);
  }
}
