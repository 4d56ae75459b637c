import type { JWK } from 'jose';
import { invalidClientMetadata } from '../errors.js';

// JWK members that only private or symmetric keys have (RFC 7517/7518).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const MIN_RSA_BITS = 2048;

type Key = Record<string, unknown>;

/**
 * The registered jwks holds usable public keys: no symmetric (oct) key, no private member, and each
 * key imports with jose, so a malformed modulus or a point off its curve is refused now instead of
 * failing when the authorization server first verifies a JWT. RSA keys need 2048 bits (jose
 * refuses smaller ones at verification time anyway).
 */
export async function checkJwks(jwks: unknown): Promise<void> {
  const keys = (jwks as { keys: Key[] } | undefined)?.keys;
  if (keys === undefined) return;
  keys.forEach(checkPublicOnly);
  // jose is loaded on the first registration that sends keys: most never do, so no cold start pays for it
  const { importJWK } = await import('jose');
  await Promise.all(keys.map((key, index) => checkImports(importJWK, key, index)));
}

function checkPublicOnly(key: Key, index: number): void {
  if (key.kty === 'oct') throw invalidClientMetadata(`jwks.keys[${index}] is a symmetric (oct) key; jwks holds public keys only`);
  const secret = PRIVATE_MEMBERS.find((member) => Object.hasOwn(key, member));
  if (secret) throw invalidClientMetadata(`jwks.keys[${index}] holds private key material ("${secret}"); jwks holds public keys only`);
  for (const member of ['alg', 'use', 'kid'] as const) {
    if (key[member] !== undefined && typeof key[member] !== 'string')
      throw invalidClientMetadata(`jwks.keys[${index}].${member} must be a string`);
  }
}

async function checkImports(importJWK: typeof import('jose').importJWK, key: Key, index: number): Promise<void> {
  // The key material is what matters here, not its declared usage: key_ops and ext are left out so
  // that a valid key is not refused over how WebCrypto would restrict it.
  const { key_ops: _keyOps, ext: _ext, ...material } = key;
  let imported: { algorithm?: { modulusLength?: number } };
  try {
    imported = (await importJWK(material as JWK, importAlgorithm(key))) as typeof imported;
  } catch {
    throw invalidClientMetadata(`jwks.keys[${index}] is not a valid ${JSON.stringify(key.kty).slice(0, 20)} public key`);
  }
  if (key.kty === 'RSA' && (imported.algorithm?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw invalidClientMetadata(`jwks.keys[${index}] is an RSA key shorter than ${MIN_RSA_BITS} bits`);
  }
}

/**
 * jose needs an algorithm to import a key (WebCrypto binds keys to one); pick one that fits the key
 * type and curve, for encryption when the key says it is for encryption.
 */
function importAlgorithm(key: Key): string {
  const forEncryption = key.use === 'enc';
  switch (key.kty) {
    case 'RSA':
      return forEncryption ? 'RSA-OAEP' : 'RS256';
    case 'EC':
      if (forEncryption) return 'ECDH-ES';
      return key.crv === 'P-384' ? 'ES384' : key.crv === 'P-521' ? 'ES512' : 'ES256';
    case 'OKP':
      return key.crv === 'X25519' ? 'ECDH-ES' : 'Ed25519';
    default:
      // AKP (ML-DSA) keys name their own algorithm; other types fail the import
      return typeof key.alg === 'string' ? key.alg : 'unknown';
  }
}
