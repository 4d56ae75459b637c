/** Parses an absolute URI; undefined when it is relative or malformed. */
export function parseAbsoluteUri(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * The loopback interface's host names as URL.hostname spells them (IPv6 keeps its brackets): where
 * plain http stays allowed (RFC 8252 §7.3 native redirects; a key, introspection or DynamoDB server on
 * the same machine) and where a web client may not redirect.
 */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** http to a loopback host: the one kind of plain-http URL this service accepts. */
export function isLoopbackHttp(uri: URL): boolean {
  return uri.protocol === 'http:' && LOOPBACK_HOSTS.has(uri.hostname);
}
