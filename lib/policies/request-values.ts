import { RESPONSE_TYPE_WORDS } from '../metadata/values.js';
import { quoted } from './quoted.js';

// Policies see the body before validation. A member they cannot read (wrong type, unknown value) is
// left as it is: validation then refuses it with the same error it gives without policies.

type Body = Record<string, unknown>;

export function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

/** `code id_token` and `id_token code` are one response type: words in canonical order; undefined if not a response type. */
export function canonicalResponseType(value: string): string | undefined {
  const words = value.split(' ');
  const known = words.every((word) => (RESPONSE_TYPE_WORDS as readonly string[]).includes(word));
  if (!known || new Set(words).size !== words.length) return undefined;
  return RESPONSE_TYPE_WORDS.filter((word) => words.includes(word)).join(' ');
}

const REDIRECT_GRANTS = ['authorization_code', 'implicit'] as const;

/** OIDC-Reg §2: `code` needs authorization_code; `token` and `id_token` need implicit. */
export function grantsNeededBy(responseType: string): string[] {
  const words = responseType.split(' ');
  const needed: string[] = [];
  if (words.includes('code')) needed.push('authorization_code');
  if (words.includes('token') || words.includes('id_token')) needed.push('implicit');
  return needed;
}

export interface RequestedTypes {
  readonly grantTypes: string[];
  readonly responseTypes: string[];
  /** The member was absent: the list is what validation will derive (lib/metadata/grant-response.ts). */
  readonly grantTypesDerived: boolean;
  readonly responseTypesDerived: boolean;
}

/** The grant and response types the client will get, as validation resolves them; undefined when it would refuse them anyway. */
export function requestedTypes(body: Body): RequestedTypes | undefined {
  const sentGrants = body.grant_types === undefined ? undefined : stringArray(body.grant_types);
  const sentResponses = body.response_types === undefined ? undefined : stringArray(body.response_types)?.map(canonicalResponseType);
  if ((body.grant_types !== undefined && !sentGrants) || (body.response_types !== undefined && !sentResponses)) return undefined;
  if (sentResponses?.some((type) => type === undefined)) return undefined;
  const responses = sentResponses as string[] | undefined;
  if (!sentGrants && !responses) {
    return { grantTypes: ['authorization_code'], responseTypes: ['code'], grantTypesDerived: true, responseTypesDerived: true };
  }
  const grantTypes = sentGrants ?? REDIRECT_GRANTS.filter((grant) => responses!.some((type) => grantsNeededBy(type).includes(grant)));
  const responseTypes = responses ?? [
    ...(grantTypes.includes('authorization_code') ? ['code'] : []),
    ...(grantTypes.includes('implicit') ? ['token'] : []),
  ];
  return {
    grantTypes: [...new Set(grantTypes)],
    responseTypes: [...new Set(responseTypes)],
    grantTypesDerived: !sentGrants,
    responseTypesDerived: !responses,
  };
}

/** Redirect-based grants no remaining response type uses go too, so the pair stays consistent. */
export function withoutUnusedRedirectGrants(grantTypes: readonly string[], responseTypes: readonly string[]): string[] {
  const used = new Set(responseTypes.flatMap(grantsNeededBy));
  return grantTypes.filter((grant) => !(REDIRECT_GRANTS as readonly string[]).includes(grant) || used.has(grant));
}

/** `client_uri` and its language-tagged variants (`client_uri#fr`) present in the body. */
export function membersOf(body: Body, field: string): string[] {
  return Object.keys(body).filter((name) => name === field || name.startsWith(`${field}#`));
}

export function listed(values: readonly string[]): string {
  return values.length === 0 ? 'none' : values.map((value) => quoted(value)).join(', ');
}
