import * as v from 'valibot';
import { invalidClientMetadata } from '../errors.js';
import { SCOPE_TOKEN } from '../metadata/values.js';
import { listOf, policyOptions, show, type Unlisted, unlisted } from './options.js';
import type { PolicyDefinition, RegistrationPolicy } from './policy.js';
import { listed } from './request-values.js';

const NAME = 'scopes';

const scopeToken = v.pipe(
  v.string((issue) => `must be a string, not ${show(issue.input)}`),
  v.regex(SCOPE_TOKEN, (issue) => `${show(issue.input)} is not a scope token (RFC 6749 §3.3)`),
);

export interface ScopesOptions {
  /** Scopes a dynamic client may register; absent: any. */
  readonly allowed?: string[];
  /** `reject` (default): refuse a request naming a scope not allowed; `drop`: remove such scopes. */
  readonly unlisted: Unlisted;
  /** Registered when the client asks for no scope (or, with `drop`, when none of its scopes is left). */
  readonly default?: string[];
}

/** Which scopes a dynamic client may register, and the scopes it gets when it asks for none. */
export const scopesPolicy: PolicyDefinition<ScopesOptions> = {
  name: NAME,
  schema: v.pipe(
    policyOptions(NAME, {
      allowed: v.optional(listOf(scopeToken)),
      unlisted: unlisted(),
      default: v.optional(listOf(scopeToken, { min: 1 })),
    }),
    v.check((options) => options.allowed !== undefined || options.default !== undefined, 'needs "allowed", "default" or both'),
    v.check(
      (options) => !options.allowed || !options.default || options.default.every((scope) => options.allowed!.includes(scope)),
      (issue) =>
        `"default" holds scopes that "allowed" does not: ${listed(issue.input.default!.filter((scope) => !issue.input.allowed!.includes(scope)))}`,
    ),
  ),
  create: ({ allowed, unlisted: mode, default: defaults }): RegistrationPolicy => {
    const permitted = allowed && new Set(allowed);
    const defaultScope = defaults && [...new Set(defaults)].join(' ');
    const setScope = (body: Record<string, unknown>, scopes: readonly string[]) => {
      if (scopes.length > 0) body.scope = scopes.join(' ');
      else if (defaultScope !== undefined) body.scope = defaultScope;
      else delete body.scope;
    };
    return {
      name: NAME,
      apply({ body }) {
        if (body.scope !== undefined && typeof body.scope !== 'string') return;
        const requested = ((body.scope as string | undefined) ?? '').split(' ').filter(Boolean);
        if (requested.length === 0) {
          if (defaultScope !== undefined) body.scope = defaultScope;
          return;
        }
        if (!permitted) return;
        const refused = requested.filter((scope) => !permitted.has(scope));
        if (refused.length === 0) return;
        if (mode === 'reject')
          throw invalidClientMetadata(`scope holds values that may not be registered here: ${listed(refused.slice(0, 10))}`);
        setScope(
          body,
          requested.filter((scope) => permitted.has(scope)),
        );
      },
    };
  },
};
