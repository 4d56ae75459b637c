import { invalidClientMetadata } from '../errors.js';

// OIDC-Reg §2: the grant types each response type needs. PingFederate also asks the converse
// ("and vice versa"): a registered authorization_code or implicit grant must be usable by some
// registered response type.
const NEEDS: Readonly<Record<string, readonly string[]>> = {
  code: ['authorization_code'],
  id_token: ['implicit'],
  token: ['implicit'],
  'id_token token': ['implicit'],
  'code id_token': ['authorization_code', 'implicit'],
  'code token': ['authorization_code', 'implicit'],
  'code id_token token': ['authorization_code', 'implicit'],
};

const REDIRECT_GRANTS = ['authorization_code', 'implicit'] as const;

export interface GrantAndResponseTypes {
  readonly grant_types: string[];
  readonly response_types: string[];
}

/**
 * Completes and checks the pair (docs/reference.md): neither sent -> authorization_code + code; one sent
 * -> the other is derived from it; both sent -> they must agree.
 */
export function resolveGrantAndResponseTypes(grantTypes?: string[], responseTypes?: string[]): GrantAndResponseTypes {
  if (grantTypes === undefined && responseTypes === undefined) {
    return { grant_types: ['authorization_code'], response_types: ['code'] };
  }
  const grants = grantTypes ?? REDIRECT_GRANTS.filter((grant) => responseTypes!.some((type) => NEEDS[type]!.includes(grant)));
  const responses = responseTypes ?? deriveResponseTypes(grants);
  if (grants.length === 0) {
    throw invalidClientMetadata(
      grantTypes === undefined ? 'grant_types is required when response_types is empty' : 'grant_types must hold at least one grant type',
    );
  }
  for (const type of responses) {
    const missing = NEEDS[type]!.filter((grant) => !grants.includes(grant));
    if (missing.length) throw invalidClientMetadata(`response_types "${type}" needs grant_types to include ${missing.join(' and ')}`);
  }
  for (const grant of REDIRECT_GRANTS) {
    if (grants.includes(grant) && !responses.some((type) => NEEDS[type]!.includes(grant))) {
      throw invalidClientMetadata(`grant_types includes ${grant}, but no registered response_types value uses it`);
    }
  }
  return { grant_types: grants, response_types: responses };
}

function deriveResponseTypes(grants: readonly string[]): string[] {
  const responses: string[] = [];
  if (grants.includes('authorization_code')) responses.push('code');
  if (grants.includes('implicit')) responses.push('token');
  return responses;
}

export function usesRedirects(grantTypes: readonly string[]): boolean {
  return REDIRECT_GRANTS.some((grant) => grantTypes.includes(grant));
}
