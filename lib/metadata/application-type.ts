import { invalidRedirectUri } from '../errors.js';
import { isLoopbackHttp, LOOPBACK_HOSTS, parseAbsoluteUri } from './uri.js';

type Metadata = Readonly<Record<string, unknown>>;

/**
 * RFC 8252 §7.3: a native client's loopback redirect URI (http://127.0.0.1, http://[::1] or
 * http://localhost) matches at authorization time whatever its port, because the app binds an
 * ephemeral port. The registered URI is stored exactly as sent and application_type "native" is
 * stored with it, so the authorization server applies this rule from the stored metadata alone:
 * for a native client, compare such a URI with the port removed; compare every other URI exactly.
 */
export function isNativeLoopbackRedirect(applicationType: unknown, redirectUri: string): boolean {
  const parsed = parseAbsoluteUri(redirectUri);
  return applicationType === 'native' && parsed !== undefined && isLoopbackHttp(parsed);
}

/**
 * OIDC-Reg §2 application_type and RFC 8252 §7: what each kind of client may redirect to.
 * - web: any absolute URI; with the implicit grant only https, and never localhost (nor 127.0.0.1, [::1]).
 * - native: http only to a loopback host (any port, see above); https only to a host that is not a
 *   loopback one (claimed URIs); any other scheme must be a private-use scheme in reverse-domain form
 *   (com.example.app:/cb), since a bare word scheme (myapp:) can be claimed by any app.
 */
export function redirectUrisFitApplicationType(metadata: Metadata): void {
  const uris = (metadata.redirect_uris as string[] | undefined) ?? [];
  const native = metadata.application_type === 'native';
  const implicit = (metadata.grant_types as string[]).includes('implicit');
  for (const uri of uris) {
    const parsed = parseAbsoluteUri(uri)!;
    const problem = native ? nativeProblem(parsed) : implicit ? webImplicitProblem(parsed) : undefined;
    if (problem) throw invalidRedirectUri(`redirect_uris: ${JSON.stringify(uri).slice(0, 120)} ${problem}`);
  }
}

function webImplicitProblem(uri: URL): string | undefined {
  if (uri.protocol !== 'https:') return 'must use https: a web client with the implicit grant type may only redirect to https URIs';
  if (LOOPBACK_HOSTS.has(uri.hostname))
    return `must not use the host ${uri.hostname}: a web client with the implicit grant type may not redirect to localhost`;
  return undefined;
}

function nativeProblem(uri: URL): string | undefined {
  switch (uri.protocol) {
    case 'http:':
      return LOOPBACK_HOSTS.has(uri.hostname)
        ? undefined
        : 'must use a loopback host (127.0.0.1, [::1] or localhost): a native client may use http only for loopback redirects';
    case 'https:':
      return LOOPBACK_HOSTS.has(uri.hostname)
        ? 'must not use a loopback host with https: a native client uses http for loopback redirects'
        : undefined;
    default:
      return uri.protocol.includes('.')
        ? undefined
        : `uses the scheme ${uri.protocol.slice(0, -1)}: a native client's private-use scheme must be a reverse domain name, such as com.example.app`;
  }
}
