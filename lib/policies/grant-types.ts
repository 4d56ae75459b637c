import { invalidClientMetadata } from '../errors.js';
import { GRANT_TYPES } from '../metadata/values.js';
import { listOf, oneOf, policyOptions, type Unlisted, unlisted } from './options.js';
import type { PolicyDefinition, RegistrationPolicy } from './policy.js';
import { grantsNeededBy, listed, requestedTypes, withoutUnusedRedirectGrants } from './request-values.js';

const NAME = 'grant-types';

export interface GrantTypesOptions {
  /** Grant types a dynamic client may register. */
  readonly allowed: string[];
  /** `reject` (default): refuse a request naming any other; `drop`: remove the others, refuse if none is left. */
  readonly unlisted: Unlisted;
}

/**
 * Which grant types a dynamic client may register; the default authorization_code (and the grants
 * derived from response_types) count as requested. Dropping a grant also drops the response types
 * that need it.
 */
export const grantTypesPolicy: PolicyDefinition<GrantTypesOptions> = {
  name: NAME,
  schema: policyOptions(NAME, { allowed: listOf(oneOf(GRANT_TYPES), { min: 1, max: GRANT_TYPES.length }), unlisted: unlisted() }),
  create: ({ allowed, unlisted: mode }): RegistrationPolicy => {
    const permitted = new Set<string>(allowed);
    const permittedText = listed([...permitted]);
    return {
      name: NAME,
      apply({ body }) {
        const types = requestedTypes(body);
        if (!types) return;
        const refused = types.grantTypes.filter((grant) => !permitted.has(grant));
        if (refused.length === 0) return;
        const derived = types.grantTypesDerived ? ' (the default, or derived from response_types)' : '';
        if (mode === 'reject') {
          throw invalidClientMetadata(`grant_types ${listed(refused)}${derived} may not be registered here; allowed: ${permittedText}`);
        }
        const kept = types.grantTypes.filter((grant) => permitted.has(grant));
        const responseTypes = types.responseTypes.filter((type) => grantsNeededBy(type).every((grant) => kept.includes(grant)));
        const grantTypes = withoutUnusedRedirectGrants(kept, responseTypes);
        if (grantTypes.length === 0) {
          throw invalidClientMetadata(
            `none of the grant_types ${listed(types.grantTypes)}${derived} may be registered here; allowed: ${permittedText}`,
          );
        }
        body.grant_types = grantTypes;
        body.response_types = responseTypes;
      },
    };
  },
};
