// Initial access tokens issued by this service (`npm run admin -- iat create`): what is stored about
// each, and the two ports over that storage. The registration path needs only the ledger (one read,
// one conditional write, a compensating write); the admin tool needs the register.

export interface StoredInitialAccessToken {
  /** The public part of the token; the item key. */
  readonly id: string;
  /** SHA-256 (base64url) of the secret part; the secret itself is never stored. */
  readonly secretHash: string;
  /** Who the token was made for (a team); becomes the token's `sub`. */
  readonly subject: string;
  readonly scopes: readonly string[];
  /** Extra registration policies the token names (`dcr_policies`). */
  readonly policies: readonly string[];
  readonly description?: string;
  /** Seconds since the epoch. */
  readonly createdAt: number;
  /** Seconds since the epoch; the token is refused from then on. */
  readonly expiresAt: number;
  /** Uses granted at creation. */
  readonly uses: number;
  readonly usesLeft: number;
  /** Seconds since the epoch. */
  readonly revokedAt?: number;
  /** Seconds since the epoch: the last registration that took a use. */
  readonly lastUsedAt?: number;
}

/** What listing shows: everything but the secret hash. */
export type InitialAccessTokenSummary = Omit<StoredInitialAccessToken, 'secretHash'>;

/** The registration path's view: check a token, take a use, give it back. */
export interface InitialAccessTokenLedger {
  /** Strongly consistent read; undefined when no token has this id. */
  find(id: string): Promise<StoredInitialAccessToken | undefined>;
  /**
   * Takes one use in a single conditional write: only if the secret hash matches, a use is left, the
   * token has not expired at `nowSeconds` and is not revoked. False when the condition failed (nothing
   * was written), so of two requests racing for the last use exactly one gets true.
   */
  consume(id: string, secretHash: string, nowSeconds: number): Promise<boolean>;
  /** Gives back a use taken by `consume` (the client could not be stored after all). */
  restore(id: string): Promise<void>;
}

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

/** The admin tool's view. */
export interface InitialAccessTokenRegister {
  /** Stores a new token; fails if the id exists. */
  create(token: StoredInitialAccessToken): Promise<void>;
  /** Every token, newest first, without secret hashes. */
  list(): Promise<InitialAccessTokenSummary[]>;
  revoke(id: string, nowSeconds: number): Promise<RevokeOutcome>;
}
