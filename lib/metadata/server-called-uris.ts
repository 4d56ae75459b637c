import { isIP } from 'node:net';
import { invalidClientMetadata } from '../errors.js';
import { isPublicAddress } from './public-address.js';
import { parseAbsoluteUri } from './uri.js';

/**
 * Fields whose URIs the authorization server fetches or calls itself, server to server: the client's
 * keys (jwks_uri), request objects (request_uris), the pairwise sector document, CIBA ping
 * notifications and back-channel logout tokens. A client must not aim those calls at the server's
 * own network. URIs a browser opens (redirect URIs, initiate_login_uri, front-channel logout, logo,
 * policy and terms pages) are not server calls and are not concerned: native apps redirect to loopback.
 */
export const SERVER_CALLED_URI_FIELDS = [
  'jwks_uri',
  'request_uris',
  'sector_identifier_uri',
  'backchannel_client_notification_endpoint',
  'backchannel_logout_uri',
] as const;

const MAX_SHOWN_URI = 120;

/**
 * Refuses a server-called URI whose host is a literal non-public address (loopback, private,
 * link-local and cloud metadata, unique-local IPv6, IPv4-mapped and NAT64 forms of those: see
 * public-address.ts) or a localhost name (RFC 6761: localhost and *.localhost). Host names are not
 * resolved here: whoever calls the URI must vet the addresses it resolves to, as the
 * sector_identifier_uri fetch does. `allowNonPublic` (a development setting) turns the check off.
 */
export function checkServerCalledUris(metadata: Readonly<Record<string, unknown>>, allowNonPublic: boolean): void {
  if (allowNonPublic) return;
  for (const field of SERVER_CALLED_URI_FIELDS) {
    const value = metadata[field];
    const uris = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as string[]) : [];
    for (const uri of uris) {
      const host = parseAbsoluteUri(uri)?.hostname;
      const problem = host === undefined ? undefined : nonPublicHost(host);
      if (problem) {
        throw invalidClientMetadata(
          `${field} must not name ${problem}: the authorization server calls this URI itself (${JSON.stringify(uri).slice(0, MAX_SHOWN_URI)})`,
        );
      }
    }
  }
}

/** Why a URL host (as URL.hostname spells it: IPv4 canonical, IPv6 in brackets) is not public; undefined when it may be. */
function nonPublicHost(hostname: string): string | undefined {
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return `the host ${host}, which is localhost`;
  if (isIP(host) !== 0 && !isPublicAddress(host))
    return `the address ${host}, which is not public (loopback, private, link-local or reserved)`;
  return undefined;
}
