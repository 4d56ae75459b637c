import { invalidClientMetadata, invalidRedirectUri } from '../errors.js';
import { usesRedirects } from './grant-response.js';

type Metadata = Record<string, unknown>;

// JWK members that only private or symmetric keys have (RFC 7517/7518).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Cross-field rules of REFERENCE.md, run on the metadata after defaults; each throws on the first problem. */
const RULES: ReadonlyArray<(metadata: Metadata) => void> = [
  function redirectUrisWhenNeeded(metadata) {
    const uris = metadata.redirect_uris as string[] | undefined;
    if (usesRedirects(metadata.grant_types as string[]) && !uris?.length) {
      throw invalidRedirectUri('redirect_uris must hold at least one URI for the authorization_code and implicit grant types');
    }
  },
  function oneKeySource(metadata) {
    if (metadata.jwks !== undefined && metadata.jwks_uri !== undefined) {
      throw invalidClientMetadata('jwks and jwks_uri cannot both be registered: send one of them');
    }
  },
  function publicKeysOnly(metadata) {
    const keys = (metadata.jwks as { keys: Record<string, unknown>[] } | undefined)?.keys ?? [];
    keys.forEach((key, index) => {
      if (key.kty === 'oct') throw invalidClientMetadata(`jwks.keys[${index}] is a symmetric (oct) key; jwks holds public keys only`);
      const secret = PRIVATE_MEMBERS.find((member) => member in key);
      if (secret) throw invalidClientMetadata(`jwks.keys[${index}] holds private key material ("${secret}"); jwks holds public keys only`);
    });
  },
  function keysForPrivateKeyJwt(metadata) {
    if (metadata.token_endpoint_auth_method === 'private_key_jwt' && metadata.jwks === undefined && metadata.jwks_uri === undefined) {
      throw invalidClientMetadata('token_endpoint_auth_method private_key_jwt needs the client keys: send jwks or jwks_uri');
    }
  },
];

export function checkRules(metadata: Metadata): void {
  for (const rule of RULES) rule(metadata);
}
