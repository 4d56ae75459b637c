import * as v from 'valibot';
import { log } from '../log.js';
import { type Caps, capsSchema, hasCaps } from './caps-schema.js';
import { grantTypesPolicy } from './grant-types.js';
import { httpsRedirectUrisPolicy } from './https-redirect-uris.js';
import { listOf, objectMessage, show } from './options.js';
import { ANONYMOUS_LIST, AUTHENTICATED_LIST, PolicyConfigError, type PolicyDefinition, type RegistrationPolicy } from './policy.js';
import { responseTypesPolicy } from './response-types.js';
import { scopesPolicy } from './scopes.js';
import { softwareStatementPolicy } from './software-statement.js';
import { trustedRedirectHostsPolicy } from './trusted-redirect-hosts.js';

// The registration policy configuration: one JSON document (the `registration-policies` setting).
// It is checked whole before anything of it applies: any unknown policy, unknown option or bad
// value refuses the entire document, with every problem named by its JSON path. This module holds
// every built-in policy: pipeline.ts loads it only for a value that configures something.

export const BUILT_IN_POLICIES: readonly PolicyDefinition[] = [
  responseTypesPolicy,
  grantTypesPolicy,
  scopesPolicy,
  trustedRedirectHostsPolicy,
  httpsRedirectUrisPolicy,
  softwareStatementPolicy,
];
const DEFINITIONS = new Map(BUILT_IN_POLICIES.map((definition) => [definition.name, definition]));
const POLICY_NAMES = BUILT_IN_POLICIES.map((definition) => definition.name);

const LIST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const MAX_POLICIES_PER_LIST = 50;

export interface PolicyConfig {
  /** Registrations without an initial access token. */
  readonly anonymous: readonly RegistrationPolicy[];
  /** Registrations with an initial access token. */
  readonly authenticated: readonly RegistrationPolicy[];
  /** Lists a token adds by naming them in its `dcr_policies` claim. */
  readonly named: ReadonlyMap<string, readonly RegistrationPolicy[]>;
  readonly caps: Caps;
  /** Something is configured; false: requests cost nothing extra. */
  readonly active: boolean;
}

// Each entry is checked first only for its `policy` name, then against that policy's own schema.
const entrySchema = v.looseObject(
  { policy: v.picklist(POLICY_NAMES, (issue) => `unknown policy ${show(issue.input)}; known: ${POLICY_NAMES.join(', ')}`) },
  (issue) => `must be a policy object {"policy": "<name>", ...options}, not ${show(issue.input)}`,
);
const listSchema = listOf(entrySchema, { max: MAX_POLICIES_PER_LIST });
const listNameSchema = v.pipe(
  v.string(),
  v.regex(LIST_NAME, (issue) => `${show(issue.input)} is not a list name (letters, digits, _ . : -, at most 64)`),
  v.check(
    (name) => name !== ANONYMOUS_LIST && name !== AUTHENTICATED_LIST,
    (issue) => `${show(issue.input)} is reserved`,
  ),
);
const configSchema = v.strictObject(
  {
    anonymous: v.optional(listSchema, []),
    authenticated: v.optional(listSchema, []),
    named: v.optional(
      v.record(listNameSchema, listSchema, (issue) => `must be an object of named lists, not ${show(issue.input)}`),
      {},
    ),
    caps: v.optional(capsSchema, {}),
  },
  objectMessage('the configuration', 'anonymous, authenticated, named, caps'),
);

/** Parses and checks the whole configuration, then builds its policies; PolicyConfigError names every problem. */
export function parsePolicyConfig(raw: string): PolicyConfig {
  const text = raw.trim() === '' ? '{}' : raw;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyConfigError([`not valid JSON (${(error as Error).message})`]);
  }
  // an array is an object to the schema, but never a configuration
  if (Array.isArray(json)) throw new PolicyConfigError(['the configuration must be a JSON object, not an array']);
  const parsed = v.safeParse(configSchema, json);
  if (!parsed.success) throw new PolicyConfigError(parsed.issues.map((issue) => problem('', issue)));

  const problems: string[] = [];
  const build = (path: string, entries: readonly v.InferOutput<typeof entrySchema>[]) =>
    entries.map((entry, index) => {
      const definition = DEFINITIONS.get(entry.policy)!;
      const options = v.safeParse(definition.schema, entry);
      if (!options.success) {
        problems.push(...options.issues.map((issue) => problem(`${path}[${index}]`, issue)));
        return undefined;
      }
      return definition.create(options.output);
    });
  const anonymous = build(ANONYMOUS_LIST, parsed.output.anonymous);
  const authenticated = build(AUTHENTICATED_LIST, parsed.output.authenticated);
  const named = Object.entries(parsed.output.named).map(([name, entries]) => [name, build(`named.${name}`, entries)] as const);
  if (problems.length > 0) throw new PolicyConfigError(problems);

  const lists = [anonymous, authenticated, ...named.map(([, list]) => list)] as RegistrationPolicy[][];
  const caps = parsed.output.caps;
  return {
    anonymous: anonymous as RegistrationPolicy[],
    authenticated: authenticated as RegistrationPolicy[],
    named: new Map(named as [string, RegistrationPolicy[]][]),
    caps,
    active: hasCaps(caps) || lists.some((list) => list.length > 0),
  };
}

/** `authenticated[2].hosts[0]: "x" is not a host name ...` */
function problem(prefix: string, issue: v.BaseIssue<unknown>): string {
  let path = prefix;
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    path += typeof key === 'number' ? `[${key}]` : `${path ? '.' : ''}${String(key)}`;
  }
  return `${path || '(the document)'}: ${issue.message}`;
}

let cached: { readonly raw: string; readonly config?: PolicyConfig; readonly error?: PolicyConfigError } | undefined;

/** The configuration of this setting value, built on first use; throws PolicyConfigError (again on every call) when it is refused. */
export function loadPolicies(raw: string): PolicyConfig {
  if (cached?.raw !== raw) {
    try {
      cached = { raw, config: parsePolicyConfig(raw) };
    } catch (error) {
      if (!(error instanceof PolicyConfigError)) throw error;
      cached = { raw, error };
      // said once per value: while it is in force, registrations and updates answer 503
      log('error', 'the registration policy configuration is refused', { problems: error.problems });
    }
  }
  if (cached.error) throw cached.error;
  return cached.config!;
}
