import { insufficientScope } from '../errors.js';
import type { VerifiedAccessToken } from './initial-access-token.js';

// Apart from the verifiers (initial-access-token.ts and its siblings, loaded by the first token a
// registration carries): registration checks the scope of whichever form verified the token.

/** The token must carry the required scope, or one scope of the group; no requirement when none is set. */
export function requireOneScope(token: VerifiedAccessToken, required: readonly string[]): void {
  if (required.length === 0) return;
  if (!required.some((scope) => token.scopes.includes(scope))) throw insufficientScope(required.join(' '));
}
