import { isNativeLoopbackRedirect } from '../metadata/application-type.js';
import { parseAbsoluteUri } from '../metadata/uri.js';
import type { DirectoryClient } from './directory-client.js';

/**
 * Whether `uri` (the redirect_uri of an authorization request) is one of the client's redirect URIs:
 * an exact string comparison (RFC 6749 §3.1.2.3, OAuth 2.1: no normalisation, no prefix), except a
 * native client's loopback redirect (http://127.0.0.1, http://[::1], http://localhost), which matches
 * on any port (RFC 8252 §7.3): scheme, host, path and query must still be equal, and neither may
 * carry user information.
 */
export function matchRedirectUri(client: DirectoryClient, uri: string): boolean {
  const registered = (client.metadata.redirect_uris as readonly string[] | undefined) ?? [];
  if (registered.includes(uri)) return true;
  const applicationType = client.metadata.application_type;
  if (!isNativeLoopbackRedirect(applicationType, uri)) return false;
  const presented = withoutPort(uri);
  return (
    presented !== undefined &&
    registered.some((candidate) => isNativeLoopbackRedirect(applicationType, candidate) && withoutPort(candidate) === presented)
  );
}

function withoutPort(uri: string): string | undefined {
  const parsed = parseAbsoluteUri(uri);
  if (!parsed || parsed.username || parsed.password || parsed.hash) return undefined;
  return `${parsed.protocol}//${parsed.hostname}${parsed.pathname}${parsed.search}`;
}
