import { newPublicId, newSecret, type RandomSource, systemRandom } from './secrets.js';

// Initial access tokens issued by this service: `dcriat_<id>_<secret>`. The prefix lets the composite
// verifier route a token without trying every method, and makes a leaked token easy to recognise
// (secret scanners, logs). Both parts are base64url of fixed length, so the `_` separators are found
// by position even though base64url itself may contain `_`.

export const SERVICE_TOKEN_PREFIX = 'dcriat_';
// id: 128 random bits (22 base64url characters); secret: 256 random bits (43 characters).
const ID_BYTES = 16;
const SERVICE_TOKEN = /^dcriat_([A-Za-z0-9_-]{22})_([A-Za-z0-9_-]{43})$/;

export interface ServiceTokenParts {
  /** Public: names the stored item (listing and revocation use it). */
  readonly id: string;
  /** Only its SHA-256 is stored. */
  readonly secret: string;
}

export function newServiceToken(random: RandomSource = systemRandom): ServiceTokenParts & { readonly token: string } {
  const id = newPublicId(random, ID_BYTES);
  const secret = newSecret(random);
  return { id, secret, token: `${SERVICE_TOKEN_PREFIX}${id}_${secret}` };
}

/** True for anything that claims to be a token of this service, well-formed or not. */
export function isServiceToken(token: string): boolean {
  return token.startsWith(SERVICE_TOKEN_PREFIX);
}

/** The id and secret of a well-formed token of this service; undefined otherwise. */
export function parseServiceToken(token: string): ServiceTokenParts | undefined {
  const match = SERVICE_TOKEN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}
