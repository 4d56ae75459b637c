import type * as v from 'valibot';

// What a registration policy is: a named step that sees the request body after it is parsed and
// before the metadata is validated, and either refuses the request (a RegistrationError) or adjusts it.

/** The request as the policies pass it along; each may replace members of `body`. */
export interface PolicyRequest {
  /** The JSON body (a copy: the caller's object is never changed). */
  body: Record<string, unknown>;
  /** A software statement a policy verified: stored and returned unmodified (RFC 7591 §3.2.1). */
  softwareStatement?: string;
}

export interface RegistrationPolicy {
  /** The built-in's name, as written in the configuration (`"policy": "..."`). */
  readonly name: string;
  /** Throws a RegistrationError to refuse; may change `request.body`. */
  apply(request: PolicyRequest): void | Promise<void>;
}

/** A built-in policy: the schema of its options (checked at load time) and how to build it from them. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds definitions of different option types; each pairs its own schema and create
export interface PolicyDefinition<Options = any> {
  readonly name: string;
  readonly schema: v.GenericSchema<unknown, Options>;
  readonly create: (options: Options) => RegistrationPolicy;
}

/** The list a registration without an initial access token runs. */
export const ANONYMOUS_LIST = 'anonymous';
/** The list a registration with an initial access token runs first. */
export const AUTHENTICATED_LIST = 'authenticated';

/** A configuration refused whole, with every problem named by its JSON path (config.ts). */
export class PolicyConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the registration policy configuration is refused: ${problems.join('; ')}`);
    this.name = 'PolicyConfigError';
  }
}
