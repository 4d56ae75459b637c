import * as v from 'valibot';
import { invalidClientMetadata, invalidRedirectUri } from '../errors.js';
import { isNativeLoopbackRedirect } from '../metadata/application-type.js';
import { parseAbsoluteUri } from '../metadata/uri.js';
import { HostList, normalizeHostEntry, privateUseSchemeDomain } from './hosts.js';
import { flag, listOf, oneOf, policyOptions, show } from './options.js';
import type { PolicyDefinition, RegistrationPolicy } from './policy.js';
import { quoted } from './quoted.js';
import { membersOf, stringArray } from './request-values.js';

const NAME = 'trusted-redirect-hosts';
const OTHER_URIS = ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'post_logout_redirect_uris'] as const;

const hostEntry = v.pipe(
  v.string((issue) => `must be a string, not ${show(issue.input)}`),
  v.check(
    (value) => normalizeHostEntry(value) !== undefined,
    (issue) => `${show(issue.input)} is not a host name (app.example.com) or a domain (.example.com with two labels at least)`,
  ),
  v.transform((value) => normalizeHostEntry(value)!),
);

export interface TrustedRedirectHostsOptions {
  /** `app.example.com`: that host; `.example.com`: any host below example.com. */
  readonly hosts: string[];
  /** Other URIs that must sit on those hosts too (language-tagged variants included). */
  readonly also_check: (typeof OTHER_URIS)[number][];
  /** Let native clients (application_type native) use http loopback redirects (RFC 8252 §7.3). */
  readonly allow_native_loopback: boolean;
}

/**
 * Redirect URIs must sit on listed hosts or domains. A native app's private-use scheme counts as the
 * domain it reverses (com.example.app -> app.example.com, RFC 8252 §7.1); a loopback redirect of a
 * native client passes only when allow_native_loopback is on.
 */
export const trustedRedirectHostsPolicy: PolicyDefinition<TrustedRedirectHostsOptions> = {
  name: NAME,
  schema: policyOptions(NAME, {
    hosts: listOf(hostEntry, { min: 1 }),
    also_check: v.optional(listOf(oneOf(OTHER_URIS)), []),
    allow_native_loopback: v.optional(flag(), false),
  }),
  create: ({ hosts, also_check: alsoCheck, allow_native_loopback: allowNativeLoopback }): RegistrationPolicy => {
    const trusted = new HostList(hosts);
    const onTrustedHost = (uri: URL) => {
      if (uri.protocol === 'https:' || uri.protocol === 'http:') return trusted.has(uri.hostname);
      const domain = privateUseSchemeDomain(uri.protocol);
      return domain !== undefined && trusted.has(domain);
    };
    return {
      name: NAME,
      apply({ body }) {
        for (const value of stringArray(body.redirect_uris) ?? []) {
          const uri = parseAbsoluteUri(value);
          if (!uri || onTrustedHost(uri)) continue;
          if (allowNativeLoopback && isNativeLoopbackRedirect(body.application_type, value)) continue;
          throw invalidRedirectUri(`redirect_uris: ${quoted(value)} is not on a host this server trusts for redirects`);
        }
        for (const field of alsoCheck) {
          for (const member of membersOf(body, field)) {
            const values = typeof body[member] === 'string' ? [body[member] as string] : (stringArray(body[member]) ?? []);
            for (const value of values) {
              const uri = parseAbsoluteUri(value);
              if (uri && !onTrustedHost(uri))
                throw invalidClientMetadata(`${member}: ${quoted(value)} is not on a host this server trusts`);
            }
          }
        }
      },
    };
  },
};
