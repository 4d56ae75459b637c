import { ENCRYPTED_RESPONSE_PREFIXES } from './fields.js';
import { CIBA_GRANT_TYPE, DEFAULT_CONTENT_ENCRYPTION_ALG } from './values.js';

type Metadata = Record<string, unknown>;

// Values a client gets when it does not send the field (RFC 7591 §2, OIDC-Reg §2; grant and response
// types are resolved in grant-response.ts because they depend on each other). Fields whose default is
// "absent" (require_auth_time, dpop_bound_access_tokens, ...: false) are not echoed.
export const DEFAULTS: Readonly<Record<string, unknown>> = {
  token_endpoint_auth_method: 'client_secret_basic',
  application_type: 'web',
  subject_type: 'public',
  id_token_signed_response_alg: 'RS256',
};

interface ConditionalDefault {
  readonly field: string;
  readonly value: unknown;
  readonly when: (metadata: Metadata) => boolean;
}

const registersCiba = (metadata: Metadata) => (metadata.grant_types as string[] | undefined)?.includes(CIBA_GRANT_TYPE) === true;

/** Defaults that apply only with another field: CIBA's (CIBA Core §4), and `_enc` once its `_alg` is registered. */
const CONDITIONAL_DEFAULTS: readonly ConditionalDefault[] = [
  { field: 'backchannel_token_delivery_mode', value: 'poll', when: registersCiba },
  { field: 'backchannel_user_code_parameter', value: false, when: registersCiba },
  { field: 'frontchannel_logout_session_required', value: false, when: (metadata) => metadata.frontchannel_logout_uri !== undefined },
  { field: 'backchannel_logout_session_required', value: false, when: (metadata) => metadata.backchannel_logout_uri !== undefined },
  ...ENCRYPTED_RESPONSE_PREFIXES.map((prefix) => {
    const alg = `${prefix}_encrypted_response_alg`;
    return {
      field: `${prefix}_encrypted_response_enc`,
      value: DEFAULT_CONTENT_ENCRYPTION_ALG,
      when: (metadata: Metadata) => metadata[alg] !== undefined,
    };
  }),
];

const DEFAULT_ENTRIES = Object.entries(DEFAULTS);

export function withDefaults(metadata: Metadata): Metadata {
  for (const [field, value] of DEFAULT_ENTRIES) {
    if (metadata[field] === undefined) metadata[field] = value;
  }
  for (const { field, value, when } of CONDITIONAL_DEFAULTS) {
    if (metadata[field] === undefined && when(metadata)) metadata[field] = value;
  }
  return metadata;
}
