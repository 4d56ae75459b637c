import * as v from 'valibot';
import { redirectUriList } from './redirect-uris.js';
import {
  HTTP_SCHEMES,
  HTTPS_SCHEMES,
  jwkSet,
  list,
  nonEmptyText,
  oneOf,
  scope,
  uri,
  type FieldSchema,
} from './schemas.js';
import {
  GRANT_TYPES,
  REFUSED_GRANT_TYPES,
  RESPONSE_TYPE_WORDS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from './values.js';

// The field table: every metadata name the service understands, with its schema. A field added here
// is parsed, stored and echoed; cross-field rules live in rules.ts, defaults in defaults.ts.

export interface FieldSpec {
  readonly schema: FieldSchema;
  /** Error code of a bad value (RFC 7591 §3.2.2); invalid_client_metadata unless said. */
  readonly error?: 'invalid_redirect_uri';
  /** May also come language-tagged, `name#tag` (RFC 7591 §2.2). */
  readonly localizable?: boolean;
}

function grantType(field: string) {
  return v.pipe(
    v.string(`${field} must hold strings`),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const value = dataset.value;
      if (REFUSED_GRANT_TYPES.has(value)) addIssue({ message: `${field}: ${value} cannot be registered by a dynamic client` });
      else if (!(GRANT_TYPES as readonly string[]).includes(value)) {
        addIssue({ message: `${field} does not support ${JSON.stringify(value).slice(0, 100)}; supported: ${GRANT_TYPES.join(', ')}` });
      }
    }),
  );
}

/** A response type: a set of words, in any order (OAuth 2.0 Multiple Response Types); stored in canonical order. */
function responseType(field: string) {
  return v.pipe(
    v.string(`${field} must hold strings`),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const words = dataset.value.split(' ');
      const known = words.every((word) => (RESPONSE_TYPE_WORDS as readonly string[]).includes(word));
      if (!known || new Set(words).size !== words.length) {
        addIssue({
          message: `${field} does not support ${JSON.stringify(dataset.value).slice(0, 100)}; supported: code, token, id_token and their combinations`,
        });
      }
    }),
    v.transform((value) => RESPONSE_TYPE_WORDS.filter((word) => value.split(' ').includes(word)).join(' ')),
  );
}

const distinct = <T>(values: T[]): T[] => [...new Set(values)];

export const FIELDS: Readonly<Record<string, FieldSpec>> = {
  redirect_uris: { schema: redirectUriList('redirect_uris'), error: 'invalid_redirect_uri' },
  token_endpoint_auth_method: { schema: oneOf('token_endpoint_auth_method', TOKEN_ENDPOINT_AUTH_METHODS) },
  grant_types: { schema: v.pipe(list('grant_types', grantType('grant_types')), v.transform(distinct)) },
  response_types: { schema: v.pipe(list('response_types', responseType('response_types')), v.transform(distinct)) },
  client_name: { schema: nonEmptyText('client_name'), localizable: true },
  client_uri: { schema: uri('client_uri', HTTP_SCHEMES), localizable: true },
  logo_uri: { schema: uri('logo_uri', HTTP_SCHEMES), localizable: true },
  policy_uri: { schema: uri('policy_uri', HTTP_SCHEMES), localizable: true },
  tos_uri: { schema: uri('tos_uri', HTTP_SCHEMES), localizable: true },
  scope: { schema: scope('scope') },
  contacts: { schema: list('contacts', nonEmptyText('contacts', 320)) },
  jwks_uri: { schema: uri('jwks_uri', HTTPS_SCHEMES) },
  jwks: { schema: jwkSet('jwks') },
  software_id: { schema: nonEmptyText('software_id', 256) },
  software_version: { schema: nonEmptyText('software_version', 256) },
};

export function isLocalizable(field: string): boolean {
  return FIELDS[field]?.localizable === true;
}
