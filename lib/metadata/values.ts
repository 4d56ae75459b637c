// Value lists of REFERENCE.md ("Client metadata value lists").

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'none',
] as const;

/** Methods that authenticate without a client secret. */
export const SECRETLESS_AUTH_METHODS: ReadonlySet<string> = new Set(['none', 'private_key_jwt', 'tls_client_auth']);

export const GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'password',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
] as const;

/** PingFederate's own grant, which a dynamically registered client may never hold. */
export const REFUSED_GRANT_TYPES: ReadonlySet<string> = new Set(['urn:pingidentity.com:oauth2:grant_type:validate_bearer']);

/** The words of a response type, in canonical order; a response type is a non-empty set of them. */
export const RESPONSE_TYPE_WORDS = ['code', 'id_token', 'token'] as const;

export const RESPONSE_TYPES = ['code', 'token', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token'] as const;

export const ASYMMETRIC_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'] as const;
export const SYMMETRIC_SIGNING_ALGS = ['HS256', 'HS384', 'HS512'] as const;

/** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
