import * as v from 'valibot';
import { invalidRedirectUri } from '../errors.js';
import { isLoopbackHttp, parseAbsoluteUri } from '../metadata/uri.js';
import { privateUseSchemeDomain } from './hosts.js';
import { flag, policyOptions } from './options.js';
import type { PolicyDefinition, RegistrationPolicy } from './policy.js';
import { quoted } from './quoted.js';
import { stringArray } from './request-values.js';

const NAME = 'https-redirect-uris';

export interface HttpsRedirectUrisOptions {
  /** http to 127.0.0.1, [::1] or localhost stays allowed (RFC 8252 §7.3); default true. */
  readonly allow_loopback: boolean;
  /** Native apps' private-use schemes (com.example.app:/cb, RFC 8252 §7.1); default false. */
  readonly allow_private_use_schemes: boolean;
}

/** Redirect URIs must use https, except http loopback redirects (and, if allowed, private-use schemes). */
export const httpsRedirectUrisPolicy: PolicyDefinition<HttpsRedirectUrisOptions> = {
  name: NAME,
  schema: policyOptions(NAME, {
    allow_loopback: v.optional(flag(), true),
    allow_private_use_schemes: v.optional(flag(), false),
  }),
  create: ({ allow_loopback: allowLoopback, allow_private_use_schemes: allowPrivateUse }): RegistrationPolicy => {
    const permitted = (uri: URL) =>
      uri.protocol === 'https:' ||
      (allowLoopback && isLoopbackHttp(uri)) ||
      (allowPrivateUse && privateUseSchemeDomain(uri.protocol) !== undefined);
    const exceptions = [
      allowLoopback && 'http for loopback hosts',
      allowPrivateUse && 'private-use schemes such as com.example.app:',
    ].filter(Boolean);
    const rule = `must use https${exceptions.length ? ` (or ${exceptions.join(' or ')})` : ''}`;
    return {
      name: NAME,
      apply({ body }) {
        for (const value of stringArray(body.redirect_uris) ?? []) {
          const uri = parseAbsoluteUri(value);
          if (uri && !permitted(uri)) throw invalidRedirectUri(`redirect_uris: ${quoted(value)} ${rule}`);
        }
      },
    };
  },
};
