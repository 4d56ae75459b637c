import type { SecretState } from '../store/client-store.js';
import { SECRETLESS_AUTH_METHODS } from './values.js';

type Metadata = Readonly<Record<string, unknown>>;

/**
 * REFERENCE.md: a secret is issued for every method but none, private_key_jwt and tls_client_auth,
 * and for any client that registers an HS* algorithm (HMAC keys are derived from the secret).
 */
export function requiresClientSecret(metadata: Metadata): boolean {
  return !SECRETLESS_AUTH_METHODS.has(metadata.token_endpoint_auth_method as string) || registersHmacAlg(metadata);
}

/** The authorization server needs the plaintext to check an HMAC: client_secret_jwt or any HS* algorithm. */
export function requiresRecoverableSecret(metadata: Metadata): boolean {
  return metadata.token_endpoint_auth_method === 'client_secret_jwt' || registersHmacAlg(metadata);
}

export function secretStateOf(metadata: Metadata): SecretState {
  const hasSecret = requiresClientSecret(metadata);
  return { hasSecret, recoverable: hasSecret && requiresRecoverableSecret(metadata) };
}

function registersHmacAlg(metadata: Metadata): boolean {
  for (const [field, value] of Object.entries(metadata)) {
    if (field.endsWith('_alg') && typeof value === 'string' && value.startsWith('HS')) return true;
  }
  return false;
}
