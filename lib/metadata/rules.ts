import { invalidClientMetadata, invalidRedirectUri } from '../errors.js';
import { redirectUrisFitApplicationType } from './application-type.js';
import { ENCRYPTED_RESPONSE_PREFIXES } from './fields.js';
import { usesRedirects } from './grant-response.js';
import { parseAbsoluteUri } from './uri.js';
import { ASYMMETRIC_KEY_MANAGEMENT_ALGS, ASYMMETRIC_SIGNING_ALGS, CIBA_GRANT_TYPE, SYMMETRIC_SIGNING_ALGS } from './values.js';

type Metadata = Record<string, unknown>;
type Rule = (metadata: Metadata) => void;

const ASYMMETRIC_SIGNING: ReadonlySet<string> = new Set(ASYMMETRIC_SIGNING_ALGS);
const SYMMETRIC_SIGNING: ReadonlySet<string> = new Set(SYMMETRIC_SIGNING_ALGS);
const ASYMMETRIC_KEY_MANAGEMENT: ReadonlySet<string> = new Set(ASYMMETRIC_KEY_MANAGEMENT_ALGS);

const CIBA_FIELDS = [
  'backchannel_token_delivery_mode',
  'backchannel_client_notification_endpoint',
  'backchannel_authentication_request_signing_alg',
  'backchannel_user_code_parameter',
] as const;

const grantTypes = (metadata: Metadata) => metadata.grant_types as string[];
const responseTypes = (metadata: Metadata) => metadata.response_types as string[];
const hasKeys = (metadata: Metadata) => metadata.jwks !== undefined || metadata.jwks_uri !== undefined;

/** Fields whose value makes the authorization server verify or encrypt with the client's own keys. */
function fieldNeedingClientKeys(metadata: Metadata): string | undefined {
  if (metadata.token_endpoint_auth_method === 'private_key_jwt') return 'token_endpoint_auth_method private_key_jwt';
  for (const field of ['request_object_signing_alg', 'backchannel_authentication_request_signing_alg']) {
    if (ASYMMETRIC_SIGNING.has(metadata[field] as string)) return `${field} ${metadata[field] as string}`;
  }
  for (const prefix of ENCRYPTED_RESPONSE_PREFIXES) {
    const field = `${prefix}_encrypted_response_alg`;
    if (ASYMMETRIC_KEY_MANAGEMENT.has(metadata[field] as string)) return `${field} ${metadata[field] as string}`;
  }
  return undefined;
}

/** Cross-field rules of docs/reference.md, run on the metadata after defaults; each throws on the first problem. */
const RULES: readonly Rule[] = [
  function redirectUrisWhenNeeded(metadata) {
    const uris = metadata.redirect_uris as string[] | undefined;
    if (usesRedirects(grantTypes(metadata)) && !uris?.length) {
      throw invalidRedirectUri('redirect_uris must hold at least one URI for the authorization_code and implicit grant types');
    }
  },
  redirectUrisFitApplicationType,
  function oneKeySource(metadata) {
    if (metadata.jwks !== undefined && metadata.jwks_uri !== undefined) {
      throw invalidClientMetadata('jwks and jwks_uri cannot both be registered: send one of them');
    }
  },
  function keysWhenNeeded(metadata) {
    const needing = hasKeys(metadata) ? undefined : fieldNeedingClientKeys(metadata);
    if (needing) throw invalidClientMetadata(`${needing} needs the client keys: send jwks or jwks_uri`);
  },
  function subjectDnForTlsClientAuth(metadata) {
    if (metadata.token_endpoint_auth_method === 'tls_client_auth' && metadata.tls_client_auth_subject_dn === undefined) {
      throw invalidClientMetadata('tls_client_auth_subject_dn is required with token_endpoint_auth_method tls_client_auth');
    }
  },
  function signingAlgFitsAuthMethod(metadata) {
    const alg = metadata.token_endpoint_auth_signing_alg as string | undefined;
    if (alg === undefined) return;
    const method = metadata.token_endpoint_auth_method as string;
    if (method === 'private_key_jwt' && ASYMMETRIC_SIGNING.has(alg)) return;
    if (method === 'client_secret_jwt' && SYMMETRIC_SIGNING.has(alg)) return;
    const fitting =
      method === 'private_key_jwt'
        ? `; private_key_jwt takes ${ASYMMETRIC_SIGNING_ALGS.join(', ')}`
        : method === 'client_secret_jwt'
          ? `; client_secret_jwt takes ${SYMMETRIC_SIGNING_ALGS.join(', ')}`
          : ': it applies only to private_key_jwt and client_secret_jwt';
    throw invalidClientMetadata(`token_endpoint_auth_signing_alg ${alg} does not fit token_endpoint_auth_method ${method}${fitting}`);
  },
  function unsignedIdTokenOnlyFromTokenEndpoint(metadata) {
    if (metadata.id_token_signed_response_alg !== 'none') return;
    const front = responseTypes(metadata).find((type) => type.split(' ').includes('id_token'));
    if (front) {
      throw invalidClientMetadata(
        `id_token_signed_response_alg none is not allowed with response_types "${front}": it returns an ID token from the authorization endpoint`,
      );
    }
  },
  function encryptionNeedsAlg(metadata) {
    for (const prefix of ENCRYPTED_RESPONSE_PREFIXES) {
      if (metadata[`${prefix}_encrypted_response_enc`] !== undefined && metadata[`${prefix}_encrypted_response_alg`] === undefined) {
        throw invalidClientMetadata(`${prefix}_encrypted_response_enc needs ${prefix}_encrypted_response_alg`);
      }
    }
  },
  function cibaFieldsNeedCibaGrant(metadata) {
    if (grantTypes(metadata).includes(CIBA_GRANT_TYPE)) return;
    const field = CIBA_FIELDS.find((name) => metadata[name] !== undefined);
    if (field) throw invalidClientMetadata(`${field} applies only with the CIBA grant type: add ${CIBA_GRANT_TYPE} to grant_types`);
  },
  function pingNeedsNotificationEndpoint(metadata) {
    if (metadata.backchannel_token_delivery_mode === 'ping' && metadata.backchannel_client_notification_endpoint === undefined) {
      throw invalidClientMetadata('backchannel_client_notification_endpoint is required with backchannel_token_delivery_mode ping');
    }
  },
  function pairwiseAcrossHostsNeedsSectorIdentifier(metadata) {
    if (metadata.subject_type !== 'pairwise' || metadata.sector_identifier_uri !== undefined) return;
    const hosts = new Set(((metadata.redirect_uris as string[] | undefined) ?? []).map((uri) => parseAbsoluteUri(uri)!.hostname));
    if (hosts.size > 1) {
      throw invalidClientMetadata(
        `subject_type pairwise with redirect_uris on ${hosts.size} hosts needs sector_identifier_uri (OIDC Core §8.1)`,
      );
    }
  },
  function senderConstrainedTokensNotFromAuthorizationEndpoint(metadata) {
    const front = responseTypes(metadata).find((type) => type.split(' ').includes('token'));
    if (!front) return;
    for (const field of ['tls_client_certificate_bound_access_tokens', 'dpop_bound_access_tokens']) {
      if (metadata[field] === true) {
        throw invalidClientMetadata(
          `${field} cannot be true with response_types "${front}": an access token from the authorization endpoint cannot be bound`,
        );
      }
    }
  },
];

export function checkRules(metadata: Metadata): void {
  for (const rule of RULES) rule(metadata);
}
