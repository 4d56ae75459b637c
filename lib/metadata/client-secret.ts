import { SECRETLESS_AUTH_METHODS } from './values.js';

/**
 * REFERENCE.md: a secret is issued for every method but none, private_key_jwt and tls_client_auth,
 * and for any client that registers an HS* algorithm (HMAC keys are derived from the secret).
 */
export function requiresClientSecret(metadata: Readonly<Record<string, unknown>>): boolean {
  return !SECRETLESS_AUTH_METHODS.has(metadata.token_endpoint_auth_method as string) || registersHmacAlg(metadata);
}

function registersHmacAlg(metadata: Readonly<Record<string, unknown>>): boolean {
  for (const [field, value] of Object.entries(metadata)) {
    if (field.endsWith('_alg') && typeof value === 'string' && value.startsWith('HS')) return true;
  }
  return false;
}
