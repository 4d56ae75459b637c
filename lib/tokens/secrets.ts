import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Client secrets and registration access tokens: 256 random bits, base64url; the table keeps only
// their SHA-256. A fast hash is right here: the inputs are random, so there is nothing to brute-force.
const SECRET_BYTES = 32;
// client_id: 144 random bits (at least 128 asked), 24 base64url characters, no padding.
const CLIENT_ID_BYTES = 18;

export type RandomSource = (bytes: number) => Buffer;

export const systemRandom: RandomSource = (bytes) => randomBytes(bytes);

export function newSecret(random: RandomSource = systemRandom): string {
  return random(SECRET_BYTES).toString('base64url');
}

export function newClientId(random: RandomSource = systemRandom): string {
  return newPublicId(random, CLIENT_ID_BYTES);
}

/**
 * A random base64url id that people type into commands (`npm run admin -- clients show <id>`): one in 64
 * would start with `-` and be read as an option, so a leading `-` becomes `_` (the id keeps all but a
 * fiftieth of a bit of its randomness).
 */
export function newPublicId(random: RandomSource, bytes: number): string {
  return random(bytes).toString('base64url').replace(/^-/, '_');
}

// What newClientId makes: 18 bytes are exactly 24 base64url characters.
const CLIENT_ID_SHAPE = /^[A-Za-z0-9_-]{24}$/;

/** Whether `value` could be a client id this service issued; anything else names no client (and must never reach the datastore: its key is limited to 2048 bytes). */
export function isClientIdShape(value: string): boolean {
  return CLIENT_ID_SHAPE.test(value);
}

export function hashSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Compares a presented value with a stored hash in constant time. */
export function matchesHash(presented: string, storedHash: string | undefined): boolean {
  if (storedHash === undefined) return false;
  const a = Buffer.from(hashSecret(presented), 'utf8');
  const b = Buffer.from(storedHash, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
