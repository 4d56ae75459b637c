import { invalidToken, temporarilyUnavailable } from '../errors.js';
import { loadOnFirstUse } from '../load-on-first-use.js';
import type { ClientMetadata } from '../metadata/client-metadata.js';
import type { VerifiedAccessToken } from '../tokens/initial-access-token.js';
import type { PolicyConfig } from './config.js';
import { ANONYMOUS_LIST, AUTHENTICATED_LIST, PolicyConfigError, type PolicyRequest, type RegistrationPolicy } from './policy.js';
import { quoted } from './quoted.js';

// Which policies a request runs, and running them. The configuration is parsed once per distinct
// setting value (a settings refresh that changes it), never per request. The default value configures
// nothing: it is known without the policy module (config.ts, every built-in policy), which the first
// value that configures something loads (lib/load-on-first-use.ts).

/** Claim of an initial access token naming extra policy lists (`named` in the configuration): an array of names, or a space-separated string. */
export const POLICIES_CLAIM = 'dcr_policies';

/** What a blank value or `{}` (the default) configures, as config.ts parses it. */
export const NO_POLICIES: PolicyConfig = { anonymous: [], authenticated: [], named: new Map(), caps: {}, active: false };

const policyModule = loadOnFirstUse(() => import('./config.js'));

/** The configuration of this setting value; throws PolicyConfigError when it is refused. */
export async function loadPolicies(raw: string): Promise<PolicyConfig> {
  if (/^\s*(\{\s*\}\s*)?$/.test(raw)) return NO_POLICIES;
  return (await policyModule()).loadPolicies(raw);
}

/** The policies of the setting in force. A refused configuration is never half-applied: the request gets a 503. */
export async function policiesInForce(registrationPolicies: string): Promise<PolicyConfig> {
  try {
    return await loadPolicies(registrationPolicies);
  } catch (error) {
    if (error instanceof PolicyConfigError) {
      throw temporarilyUnavailable(
        'the registration policies of this server are misconfigured; the operator has been told (see the logs)',
        30,
      );
    }
    throw error;
  }
}

/** A registration runs `anonymous`, or `authenticated` followed by the lists its token names. */
export function registrationLists(config: PolicyConfig, caller: VerifiedAccessToken | undefined): string[] {
  if (!caller) return [ANONYMOUS_LIST];
  const claim = caller.claims[POLICIES_CLAIM];
  if (claim === undefined) return [AUTHENTICATED_LIST];
  const names = typeof claim === 'string' ? claim.split(' ').filter(Boolean) : claim;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    throw invalidToken(`the ${POLICIES_CLAIM} claim of the initial access token must be an array of policy list names`);
  }
  // a list the server does not have cannot be applied, and skipping it could skip a restriction
  const unknown = names.find((name) => !config.named.has(name));
  if (unknown !== undefined)
    throw invalidToken(`the initial access token names the registration policy list ${quoted(unknown)}, which this server does not have`);
  return [AUTHENTICATED_LIST, ...new Set(names)];
}

/**
 * An update runs the lists the client was registered under. A client registered while no policy
 * was configured has none stored: it runs `authenticated` when initial access tokens are required
 * (it must have had one), else `anonymous`.
 */
export function updateLists(policyLists: readonly string[] | undefined, requireInitialAccessToken: boolean): readonly string[] {
  if (policyLists?.length) return policyLists;
  return [requireInitialAccessToken ? AUTHENTICATED_LIST : ANONYMOUS_LIST];
}

function policiesOf(config: PolicyConfig, list: string): readonly RegistrationPolicy[] {
  if (list === ANONYMOUS_LIST) return config.anonymous;
  if (list === AUTHENTICATED_LIST) return config.authenticated;
  // a named list removed from the configuration since registration no longer applies
  return config.named.get(list) ?? [];
}

/**
 * Runs the lists in order on a copy of the body. `software_statement` never reaches validation: it
 * is registered only when a policy verified it (RFC 7591 §2.3 lets a server ignore one it does not check).
 */
export async function applyPolicies(
  config: PolicyConfig,
  lists: readonly string[],
  body: Readonly<Record<string, unknown>>,
): Promise<PolicyRequest> {
  // a prototype-free copy: a member a policy sets by name (a software statement's claims) stays a member
  const request: PolicyRequest = { body: Object.assign(Object.create(null) as Record<string, unknown>, body) };
  for (const list of lists) {
    for (const policy of policiesOf(config, list)) {
      const pending = policy.apply(request);
      if (pending) await pending;
    }
  }
  delete request.body.software_statement;
  return request;
}

/** The validated metadata plus the verified software statement, returned unmodified with the client information. */
export function withSoftwareStatement(metadata: ClientMetadata, statement: string | undefined): ClientMetadata {
  return statement === undefined ? metadata : { ...metadata, software_statement: statement };
}
