import { invalidToken } from '../errors.js';
import type { InitialAccessTokenVerifier, VerifiedAccessToken } from './initial-access-token.js';
import type { InitialAccessTokenLedger, StoredInitialAccessToken } from './initial-access-token-store.js';
import { hashSecret, matchesHash } from './secrets.js';
import { parseServiceToken } from './service-token.js';

/** The `iss` of tokens issued by this service, so policies can tell them from the authorization server's. */
export const SERVICE_TOKEN_ISSUER = 'urn:dcr-service:initial-access-token';

/**
 * Tokens issued by this service (`dcriat_<id>_<secret>`, see service-token.ts). `verify` reads the
 * item once, so the caller learns precisely why a token is refused before its metadata is validated;
 * `consume` takes the use with one conditional write just before the client is stored, which is what
 * makes the number of uses exact under concurrency. Never cached: uses and revocation change.
 */
export class ServiceInitialAccessTokenVerifier implements InitialAccessTokenVerifier {
  constructor(
    private readonly ledger: InitialAccessTokenLedger,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<VerifiedAccessToken> {
    const parts = parseServiceToken(token);
    if (!parts) throw invalidToken('the initial access token is not a well-formed token of this service');
    const stored = await this.ledger.find(parts.id);
    // unknown id and wrong secret look the same: the answer does not confirm that an id exists
    if (!stored || !matchesHash(parts.secret, stored.secretHash)) throw invalidToken('the initial access token is not known here');
    if (stored.revokedAt !== undefined) throw invalidToken('the initial access token has been revoked');
    if (stored.expiresAt <= this.nowSeconds()) throw invalidToken('the initial access token has expired');
    if (stored.usesLeft <= 0) throw invalidToken('the initial access token has no uses left');

    const secretHash = hashSecret(parts.secret);
    return {
      kind: 'service',
      subject: stored.subject,
      scopes: [...stored.scopes],
      claims: claimsOf(stored),
      consume: async () => {
        if (!(await this.ledger.consume(parts.id, secretHash, this.nowSeconds()))) {
          // another registration took the last use, or the token expired or was revoked meanwhile
          throw invalidToken('the initial access token has no uses left, has expired or has been revoked');
        }
      },
      restore: () => this.ledger.restore(parts.id),
    };
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** The token as JWT-style claims, so policies read every token form the same way. */
function claimsOf(stored: StoredInitialAccessToken): VerifiedAccessToken['claims'] {
  return {
    iss: SERVICE_TOKEN_ISSUER,
    sub: stored.subject,
    scope: stored.scopes.join(' '),
    jti: stored.id,
    iat: stored.createdAt,
    exp: stored.expiresAt,
    ...(stored.policies.length > 0 && { dcr_policies: [...stored.policies] }),
  };
}
