// Value lists of docs/reference.md ("Client metadata value lists").

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

export const RESPONSE_TYPES = [
  'code',
  'token',
  'id_token',
  'code id_token',
  'code token',
  'id_token token',
  'code id_token token',
] as const;

export const ASYMMETRIC_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'] as const;
export const SYMMETRIC_SIGNING_ALGS = ['HS256', 'HS384', 'HS512'] as const;

/** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

/** JWS algorithms a signed response (ID token, userinfo, JARM, introspection) may use. */
export const RESPONSE_SIGNING_ALGS = [...SYMMETRIC_SIGNING_ALGS, ...ASYMMETRIC_SIGNING_ALGS] as const;

/** id_token_signed_response_alg: the response signing algorithms plus `none` (unsigned). */
export const ID_TOKEN_SIGNING_ALGS = ['none', ...RESPONSE_SIGNING_ALGS] as const;

/** JWE key management algorithms that encrypt to a client's public key: they need jwks or jwks_uri. */
export const ASYMMETRIC_KEY_MANAGEMENT_ALGS = [
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
  'RSA-OAEP',
  'RSA-OAEP-256',
] as const;

/** JWE key management algorithms keyed from the client secret (OIDC Core §10.2). */
export const SYMMETRIC_KEY_MANAGEMENT_ALGS = ['dir', 'A128KW', 'A192KW', 'A256KW', 'A128GCMKW', 'A192GCMKW', 'A256GCMKW'] as const;

export const KEY_MANAGEMENT_ALGS = [...SYMMETRIC_KEY_MANAGEMENT_ALGS, ...ASYMMETRIC_KEY_MANAGEMENT_ALGS] as const;

export const CONTENT_ENCRYPTION_ALGS = ['A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A192GCM', 'A256GCM'] as const;

/** `..._enc` when only `..._alg` is registered (OIDC-Reg §2, JARM §3, RFC 9701 §6). */
export const DEFAULT_CONTENT_ENCRYPTION_ALG = 'A128CBC-HS256';

export const BACKCHANNEL_TOKEN_DELIVERY_MODES = ['poll', 'ping'] as const;
export const SUBJECT_TYPES = ['public', 'pairwise'] as const;
export const APPLICATION_TYPES = ['web', 'native'] as const;
