// The names of the field table (fields.ts), without its schemas: what the settings and the secret rules
// need to know of the fields, at no cost of building the table (the read and delete bundles never load
// it). test/unit/metadata-fields.test.ts holds this list to FIELDS.

export const FIELD_NAMES = [
  'redirect_uris',
  'token_endpoint_auth_method',
  'grant_types',
  'response_types',
  'client_name',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'scope',
  'contacts',
  'jwks_uri',
  'jwks',
  'software_id',
  'software_version',
  'tls_client_auth_subject_dn',
  'token_endpoint_auth_signing_alg',
  'application_type',
  'client_description',
  'subject_type',
  'sector_identifier_uri',
  'id_token_signed_response_alg',
  'id_token_encrypted_response_alg',
  'id_token_encrypted_response_enc',
  'userinfo_signed_response_alg',
  'userinfo_encrypted_response_alg',
  'userinfo_encrypted_response_enc',
  'request_object_signing_alg',
  'request_uris',
  'require_signed_request_object',
  'require_pushed_authorization_requests',
  'default_max_age',
  'require_auth_time',
  'default_acr_values',
  'initiate_login_uri',
  'post_logout_redirect_uris',
  'frontchannel_logout_uri',
  'frontchannel_logout_session_required',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
  'backchannel_token_delivery_mode',
  'backchannel_client_notification_endpoint',
  'backchannel_authentication_request_signing_alg',
  'backchannel_user_code_parameter',
  'tls_client_certificate_bound_access_tokens',
  'dpop_bound_access_tokens',
  'authorization_signed_response_alg',
  'authorization_encrypted_response_alg',
  'authorization_encrypted_response_enc',
  'introspection_signed_response_alg',
  'introspection_encrypted_response_alg',
  'introspection_encrypted_response_enc',
  'authorization_details_types',
] as const;

export type FieldName = (typeof FIELD_NAMES)[number];

// Names a property may never take, whatever the operator configures: the standard fields keep their
// own validation, and the client information members must not be overwritten by client input.
const RESERVED: ReadonlySet<string> = new Set([
  ...FIELD_NAMES,
  'client_id',
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
  'software_statement',
]);

/** A standard field or a client information member: the settings refuse an extended property of this name. */
export function isReservedPropertyName(name: string): boolean {
  return RESERVED.has(name);
}
