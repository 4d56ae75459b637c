import * as v from 'valibot';
import { redirectUri, redirectUriList } from './redirect-uris.js';
import {
  type FieldSchema,
  flag,
  HTTP_SCHEMES,
  HTTPS_SCHEMES,
  itemText,
  jwkSet,
  list,
  nonEmptyText,
  nonNegativeInteger,
  oneOf,
  scope,
  uri,
} from './schemas.js';
import {
  APPLICATION_TYPES,
  ASYMMETRIC_SIGNING_ALGS,
  BACKCHANNEL_TOKEN_DELIVERY_MODES,
  CONTENT_ENCRYPTION_ALGS,
  GRANT_TYPES,
  ID_TOKEN_SIGNING_ALGS,
  KEY_MANAGEMENT_ALGS,
  REFUSED_GRANT_TYPES,
  RESPONSE_SIGNING_ALGS,
  RESPONSE_TYPE_WORDS,
  SUBJECT_TYPES,
  SYMMETRIC_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from './values.js';

// The field table: every metadata name the service understands, with its schema. A field added here
// is parsed, stored and echoed (in this order); cross-field rules live in rules.ts, defaults in defaults.ts.

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

/** Responses the authorization server may sign and encrypt for the client: `<prefix>_signed_response_alg` etc. */
export const ENCRYPTED_RESPONSE_PREFIXES = ['id_token', 'userinfo', 'authorization', 'introspection'] as const;

function signedAndEncrypted(
  prefix: (typeof ENCRYPTED_RESPONSE_PREFIXES)[number],
  signingAlgs: readonly string[],
): Record<string, FieldSpec> {
  return {
    [`${prefix}_signed_response_alg`]: { schema: oneOf(`${prefix}_signed_response_alg`, signingAlgs) },
    [`${prefix}_encrypted_response_alg`]: { schema: oneOf(`${prefix}_encrypted_response_alg`, KEY_MANAGEMENT_ALGS) },
    [`${prefix}_encrypted_response_enc`]: { schema: oneOf(`${prefix}_encrypted_response_enc`, CONTENT_ENCRYPTION_ALGS) },
  };
}

// Indexed by member names a client sends: built without a prototype, and read through fieldSpec(),
// so `toString` or `__proto__` name no field.
export const FIELDS: Readonly<Record<string, FieldSpec>> = Object.assign(Object.create(null), {
  // RFC 7591 §2
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
  contacts: { schema: list('contacts', itemText('contacts', 320)) },
  jwks_uri: { schema: uri('jwks_uri', HTTPS_SCHEMES) },
  jwks: { schema: jwkSet('jwks') },
  software_id: { schema: nonEmptyText('software_id', 256) },
  software_version: { schema: nonEmptyText('software_version', 256) },

  // Client authentication (RFC 8705 §2.1.2; OIDC-Reg §2)
  tls_client_auth_subject_dn: { schema: nonEmptyText('tls_client_auth_subject_dn') },
  token_endpoint_auth_signing_alg: {
    schema: oneOf('token_endpoint_auth_signing_alg', [...ASYMMETRIC_SIGNING_ALGS, ...SYMMETRIC_SIGNING_ALGS]),
  },

  // OpenID Connect (OIDC-Reg §2) and PingFederate
  application_type: { schema: oneOf('application_type', APPLICATION_TYPES) },
  client_description: { schema: nonEmptyText('client_description') },
  subject_type: { schema: oneOf('subject_type', SUBJECT_TYPES) },
  sector_identifier_uri: { schema: uri('sector_identifier_uri', HTTPS_SCHEMES) },
  ...signedAndEncrypted('id_token', ID_TOKEN_SIGNING_ALGS),
  // `none` is allowed for userinfo: an unsigned (possibly encrypted) JWT is a valid OIDC-Reg choice
  ...signedAndEncrypted('userinfo', ID_TOKEN_SIGNING_ALGS),
  request_object_signing_alg: { schema: oneOf('request_object_signing_alg', ASYMMETRIC_SIGNING_ALGS) },
  request_uris: { schema: list('request_uris', uri('request_uris', HTTPS_SCHEMES, { allowFragment: true })) },
  require_signed_request_object: { schema: flag('require_signed_request_object') },
  require_pushed_authorization_requests: { schema: flag('require_pushed_authorization_requests') },
  default_max_age: { schema: nonNegativeInteger('default_max_age') },
  require_auth_time: { schema: flag('require_auth_time') },
  default_acr_values: { schema: list('default_acr_values', itemText('default_acr_values', 256)) },
  initiate_login_uri: { schema: uri('initiate_login_uri', HTTPS_SCHEMES) },

  // Logout (OIDC RP-Initiated, Front-Channel and Back-Channel Logout 1.0)
  post_logout_redirect_uris: { schema: list('post_logout_redirect_uris', redirectUri('post_logout_redirect_uris')) },
  frontchannel_logout_uri: { schema: uri('frontchannel_logout_uri', HTTP_SCHEMES) },
  frontchannel_logout_session_required: { schema: flag('frontchannel_logout_session_required') },
  backchannel_logout_uri: { schema: uri('backchannel_logout_uri', HTTP_SCHEMES) },
  backchannel_logout_session_required: { schema: flag('backchannel_logout_session_required') },

  // CIBA (OIDC CIBA Core §4)
  backchannel_token_delivery_mode: { schema: oneOf('backchannel_token_delivery_mode', BACKCHANNEL_TOKEN_DELIVERY_MODES) },
  backchannel_client_notification_endpoint: { schema: uri('backchannel_client_notification_endpoint', HTTPS_SCHEMES) },
  backchannel_authentication_request_signing_alg: {
    schema: oneOf('backchannel_authentication_request_signing_alg', ASYMMETRIC_SIGNING_ALGS),
  },
  backchannel_user_code_parameter: { schema: flag('backchannel_user_code_parameter') },

  // Sender-constrained tokens (RFC 8705 §3.4, RFC 9449 §5.2)
  tls_client_certificate_bound_access_tokens: { schema: flag('tls_client_certificate_bound_access_tokens') },
  dpop_bound_access_tokens: { schema: flag('dpop_bound_access_tokens') },

  // JARM, JWT introspection responses (RFC 9701) and rich authorization requests (RFC 9396)
  ...signedAndEncrypted('authorization', RESPONSE_SIGNING_ALGS),
  ...signedAndEncrypted('introspection', RESPONSE_SIGNING_ALGS),
  authorization_details_types: { schema: list('authorization_details_types', itemText('authorization_details_types', 256)) },
} satisfies Record<string, FieldSpec>);

/** The spec of a standard field; undefined for any other name (own members only). */
export function fieldSpec(name: string): FieldSpec | undefined {
  return Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
}

export function isLocalizable(field: string): boolean {
  return fieldSpec(field)?.localizable === true;
}
