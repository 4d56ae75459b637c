/**
 * A credential this service presents to another (the introspection client secret): read when first
 * needed, so building the runtime costs no call. `invalidate` asks for a fresh read, e.g. after the
 * other side refused the value (it may have been rotated); sources may rate-limit it.
 */
export interface SecretSource {
  get(): Promise<string>;
  invalidate?(): void;
}

/** A secret given in configuration (local mode: an environment variable). */
export function staticSecret(value: string): SecretSource {
  const resolved = Promise.resolve(value);
  return { get: () => resolved };
}
