import * as v from 'valibot';
import { invalidClientMetadata } from '../errors.js';
import { RESPONSE_TYPES } from '../metadata/values.js';
import { listOf, policyOptions, show, type Unlisted, unlisted } from './options.js';
import type { PolicyDefinition, RegistrationPolicy } from './policy.js';
import { canonicalResponseType, listed, requestedTypes, withoutUnusedRedirectGrants } from './request-values.js';

const NAME = 'response-types';

const responseType = v.pipe(
  v.string((issue) => `must be a string, not ${show(issue.input)}`),
  v.check(
    (value) => canonicalResponseType(value) !== undefined,
    (issue) => `${show(issue.input)} is not a response type; supported: ${RESPONSE_TYPES.join(', ')}`,
  ),
  v.transform((value) => canonicalResponseType(value)!),
);

export interface ResponseTypesOptions {
  /** Response types a dynamic client may register (word order does not matter). An empty list allows none. */
  readonly allowed: string[];
  /** `reject` (default): refuse a request naming any other; `drop`: remove the others, refuse if none is left. */
  readonly unlisted: Unlisted;
}

/**
 * Which response types a dynamic client may register; the types validation would derive from
 * grant_types count as requested. Dropping a response type also drops the redirect grant
 * (authorization_code, implicit) no remaining type uses, so the pair stays consistent.
 */
export const responseTypesPolicy: PolicyDefinition<ResponseTypesOptions> = {
  name: NAME,
  schema: policyOptions(NAME, { allowed: listOf(responseType, { max: RESPONSE_TYPES.length }), unlisted: unlisted() }),
  create: ({ allowed, unlisted: mode }): RegistrationPolicy => {
    const permitted = new Set(allowed);
    const permittedText = listed([...permitted]);
    return {
      name: NAME,
      apply({ body }) {
        const types = requestedTypes(body);
        if (!types) return;
        const refused = types.responseTypes.filter((type) => !permitted.has(type));
        if (refused.length === 0) return;
        const derived = types.responseTypesDerived ? ' (derived from grant_types)' : '';
        if (mode === 'reject') {
          throw invalidClientMetadata(`response_types ${listed(refused)}${derived} may not be registered here; allowed: ${permittedText}`);
        }
        const kept = types.responseTypes.filter((type) => permitted.has(type));
        if (kept.length === 0) {
          throw invalidClientMetadata(
            `none of the response_types ${listed(refused)}${derived} may be registered here; allowed: ${permittedText}`,
          );
        }
        body.response_types = kept;
        body.grant_types = withoutUnusedRedirectGrants(types.grantTypes, kept);
      },
    };
  },
};
