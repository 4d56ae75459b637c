import { FIELD_NAMES } from './field-names.js';
import { SECRETLESS_AUTH_METHODS, SYMMETRIC_KEY_MANAGEMENT_ALGS } from './values.js';

type Metadata = Readonly<Record<string, unknown>>;

/** What kind of secret a client holds. */
export interface SecretState {
  readonly hasSecret: boolean;
  readonly recoverable: boolean;
}

// Standard fields whose value derives a key from the client secret: *_alg with an HS* value (HMAC
// signatures) and *_encrypted_response_alg with a symmetric key-management algorithm (OIDC Core §10.2).
// Only the field table's names count: an extended property that happens to be named like an alg changes nothing.
const ALG_FIELDS = FIELD_NAMES.filter((field) => field.endsWith('_alg'));
const SYMMETRIC_KEY_MANAGEMENT: ReadonlySet<string> = new Set(SYMMETRIC_KEY_MANAGEMENT_ALGS);

/**
 * docs/reference.md: a secret is issued for every method but none, private_key_jwt and tls_client_auth,
 * and for any client that registers an algorithm keyed by the secret.
 */
export function requiresClientSecret(metadata: Metadata): boolean {
  return !SECRETLESS_AUTH_METHODS.has(metadata.token_endpoint_auth_method as string) || usesSecretDerivedKeys(metadata);
}

/** The authorization server needs the plaintext: client_secret_jwt, or any algorithm keyed by the secret. */
export function requiresRecoverableSecret(metadata: Metadata): boolean {
  return metadata.token_endpoint_auth_method === 'client_secret_jwt' || usesSecretDerivedKeys(metadata);
}

export function secretStateOf(metadata: Metadata): SecretState {
  const hasSecret = requiresClientSecret(metadata);
  return { hasSecret, recoverable: hasSecret && requiresRecoverableSecret(metadata) };
}

function usesSecretDerivedKeys(metadata: Metadata): boolean {
  for (const field of ALG_FIELDS) {
    const value = metadata[field];
    if (typeof value !== 'string') continue;
    if (value.startsWith('HS')) return true;
    if (field.endsWith('_encrypted_response_alg') && SYMMETRIC_KEY_MANAGEMENT.has(value)) return true;
  }
  return false;
}
