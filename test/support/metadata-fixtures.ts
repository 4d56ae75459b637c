import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { RegistrationError } from '../../lib/errors.js';
import { SectorIdentifierFetchError, type SectorIdentifierFetcher } from '../../lib/metadata/sector-identifier.js';
import { type MetadataContext, validateMetadata } from '../../lib/metadata/validate.js';

// Shared by the test/unit/metadata-*.test.ts suites: inputs, real public keys, and a stand-in for the
// sector_identifier_uri fetcher (the real one is exercised against a local HTTPS server in
// test/integration/metadata-sector-identifier.test.ts).

export const REDIRECT = 'https://client.example/cb';
export const SECTOR_URI = 'https://sector.example/redirects.json';
export const CIBA = 'urn:openid:params:grant-type:ciba';

async function publicJwk(algorithm: string, extra: Partial<JWK> = {}, options: Record<string, unknown> = {}): Promise<JWK> {
  const { publicKey } = await generateKeyPair(algorithm, { extractable: true, ...options });
  return { ...(await exportJWK(publicKey)), ...extra };
}

/** Real public keys (jose), one per key type the service accepts. */
export const KEYS = {
  rsa: await publicJwk('RS256', { kid: 'rsa-sig', use: 'sig' }),
  ec: await publicJwk('ES256', { kid: 'ec-sig' }),
  ec384: await publicJwk('ES384'),
  rsaEnc: await publicJwk('RSA-OAEP', { kid: 'rsa-enc', use: 'enc' }),
  ed25519: await publicJwk('EdDSA', { kid: 'ed' }),
  x25519: await publicJwk('ECDH-ES', { use: 'enc' }, { crv: 'X25519' }),
  // jose will not make a short key; node:crypto will
  rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }) as JWK,
};
export const JWKS = { keys: [KEYS.rsa, KEYS.ec] };

/** A fetcher that serves `documents` by URI and fails like the real one for any other URI. */
export function fakeSectorIdentifiers(documents: Record<string, unknown>): SectorIdentifierFetcher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async fetch(uri) {
      calls.push(uri);
      if (Object.hasOwn(documents, uri)) return documents[uri];
      throw new SectorIdentifierFetchError('it answered HTTP 404');
    },
  };
}

export const CONTEXT: MetadataContext = {
  extendedProperties: [],
  sectorIdentifiers: fakeSectorIdentifiers({ [SECTOR_URI]: [REDIRECT, 'https://other.example/cb'] }),
};

/** The metadata a valid request registers. */
export function accept(input: Record<string, unknown>, context: MetadataContext = CONTEXT): Promise<Readonly<Record<string, unknown>>> {
  return validateMetadata(input, context);
}

/** The RegistrationError a request is refused with; fails the test when it is accepted. */
export async function reject(input: Record<string, unknown>, context: MetadataContext = CONTEXT): Promise<RegistrationError> {
  let registered: unknown;
  try {
    registered = await validateMetadata(input, context);
  } catch (error) {
    if (error instanceof RegistrationError) return error;
    throw error;
  }
  throw new Error(`expected a refusal, but it registered ${JSON.stringify(registered).slice(0, 400)}`);
}

/** Compact view of a refusal for toEqual / toMatchObject. */
export function refusal(error: RegistrationError): { status: number; error: string; description: string } {
  return { status: error.status, error: error.error, description: error.description };
}
