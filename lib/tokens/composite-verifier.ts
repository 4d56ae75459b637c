import { invalidToken } from '../errors.js';
import type { InitialAccessTokenVerifier, VerifiedAccessToken } from './initial-access-token.js';
import { isServiceToken } from './service-token.js';

export interface InitialAccessTokenForms {
  /** Tokens of this service (`dcriat_...`). */
  readonly service?: InitialAccessTokenVerifier;
  /** JWTs signed by the configured issuer. */
  readonly jwt?: InitialAccessTokenVerifier;
  /** Anything else, asked of the authorization server (RFC 7662). */
  readonly introspection?: InitialAccessTokenVerifier;
}

// A compact JWS: three base64url parts (the signature may be empty for `alg: none`, which the JWT
// verifier then refuses with a precise reason).
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Routes each token to the one verifier its form calls for, so no token is tried against several
 * methods (one introspection call at most, and no token of ours ever sent to the authorization server).
 */
export class CompositeInitialAccessTokenVerifier implements InitialAccessTokenVerifier {
  constructor(private readonly forms: InitialAccessTokenForms) {}

  verify(token: string): Promise<VerifiedAccessToken> {
    const verifier = this.route(token);
    if (!verifier)
      return Promise.reject(invalidToken(`this kind of initial access token is not accepted here (accepted: ${this.accepted()})`));
    return verifier.verify(token);
  }

  private accepted(): string {
    const names = [
      this.forms.jwt && 'a JWT of the authorization server',
      this.forms.introspection && 'a token of the authorization server',
      this.forms.service && 'a token issued by this service',
    ];
    return names.filter(Boolean).join(', ');
  }

  private route(token: string): InitialAccessTokenVerifier | undefined {
    if (isServiceToken(token)) return this.forms.service;
    if (this.forms.jwt && JWT_SHAPE.test(token)) return this.forms.jwt;
    return this.forms.introspection;
  }
}

/** The verifier for the configured forms; undefined when none is configured (required tokens then get a 503). */
export function composeInitialAccessTokenVerifiers(forms: InitialAccessTokenForms): InitialAccessTokenVerifier | undefined {
  const configured = [forms.service, forms.jwt, forms.introspection].filter(Boolean);
  if (configured.length === 0) return undefined;
  return new CompositeInitialAccessTokenVerifier(forms);
}
