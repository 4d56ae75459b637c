import { loadOnFirstUse } from '../load-on-first-use.js';
import type { Environment } from '../settings/environment.js';
import type { SecretSealer } from '../tokens/secret-sealer.js';

/**
 * KMS in AWS (DCR_SECRET_KEY_ID), a local AES key in local mode (DCR_LOCAL_SECRET_KEY); undefined
 * with neither (recoverable secrets are then refused with a 503). Either is loaded on the first
 * secret that must stay recoverable: most clients never need one, so no cold start pays for it.
 */
export function secretSealerOf(environment: Environment): SecretSealer | undefined {
  const keyId = environment.secretKeyId;
  if (keyId !== undefined) return lazySealer(async () => new (await import('../store/kms-secret-sealer.js')).KmsSecretSealer(keyId));
  const localKey = environment.localSecretKey;
  if (localKey !== undefined) return lazySealer(async () => new (await import('../tokens/secret-sealer.js')).LocalSecretSealer(localKey));
  return undefined;
}

function lazySealer(load: () => Promise<SecretSealer>): SecretSealer {
  const loaded = loadOnFirstUse(load);
  return {
    seal: async (secret, clientId) => (await loaded()).seal(secret, clientId),
    open: async (sealed, clientId) => (await loaded()).open(sealed, clientId),
  };
}
