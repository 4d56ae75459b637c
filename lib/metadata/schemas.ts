import * as v from 'valibot';
import { MAX_ARRAY_LENGTH, MAX_JWKS_KEYS, MAX_STRING_LENGTH } from './limits.js';
import { parseAbsoluteUri } from './uri.js';
import { SCOPE_TOKEN } from './values.js';

// Schema builders: each takes the field name, so every message names the field it is about.
// Schemas are built once at module load; per request only safeParse runs.

export type FieldSchema = v.GenericSchema<unknown, unknown>;

const show = (value: unknown) => {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
};

export function text(field: string, max = MAX_STRING_LENGTH) {
  return v.pipe(
    v.string((issue) => `${field} must be a string, not ${show(issue.input)}`),
    v.maxLength(max, `${field} must be at most ${max} characters`),
  );
}

export function nonEmptyText(field: string, max = MAX_STRING_LENGTH) {
  return v.pipe(text(field, max), v.nonEmpty(`${field} must not be empty`));
}

/** One member of a list of strings: the message says the list must hold strings. */
export function itemText(field: string, max = MAX_STRING_LENGTH) {
  return v.pipe(
    v.string((issue) => `${field} must hold strings, not ${show(issue.input)}`),
    v.maxLength(max, `every value of ${field} must be at most ${max} characters`),
    v.nonEmpty(`${field} must not hold empty strings`),
  );
}

export function flag(field: string) {
  return v.boolean((issue) => `${field} must be true or false, not ${show(issue.input)}`);
}

export function oneOf<const T extends readonly string[]>(field: string, values: T) {
  return v.picklist(values, (issue) =>
    typeof issue.input === 'string'
      ? `${field} does not support ${show(issue.input)}; supported: ${values.join(', ')}`
      : `${field} must be a string, not ${show(issue.input)}`,
  );
}

export function list<T extends FieldSchema>(field: string, item: T, max = MAX_ARRAY_LENGTH) {
  return v.pipe(
    v.array(item, (issue) => `${field} must be an array, not ${show(issue.input)}`),
    v.maxLength(max, `${field} may hold at most ${max} values`),
  );
}

export interface UriOptions {
  /** request_uris may carry a fragment: the hash of the request object (OIDC Core §6.2). */
  readonly allowFragment?: boolean;
}

/** An absolute URI whose scheme is in `schemes` (lower case, with the colon), without a fragment unless allowed. */
export function uri(field: string, schemes: readonly string[], options: UriOptions = {}) {
  const names = schemes.map((scheme) => scheme.slice(0, -1)).join(' or ');
  return v.pipe(
    text(field),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = uriProblem(dataset.value, schemes, names, options);
      if (problem) addIssue({ message: `${field} ${problem}: ${show(dataset.value)}` });
    }),
  );
}

function uriProblem(value: string, schemes: readonly string[], names: string, options: UriOptions): string | undefined {
  const parsed = parseAbsoluteUri(value);
  if (!parsed) return 'must be an absolute URI';
  if (!schemes.includes(parsed.protocol)) return `must use ${names}`;
  // "https:foo" parses, but a web URI needs an authority
  if (!value.slice(parsed.protocol.length).startsWith('//') || parsed.hostname === '') return 'must have a host';
  if (!options.allowFragment && value.includes('#')) return 'must not have a fragment';
  return undefined;
}

/** A JSON number that is a whole number from 0 up (seconds, counts). */
export function nonNegativeInteger(field: string) {
  return v.pipe(
    v.number((issue) => `${field} must be a number, not ${show(issue.input)}`),
    v.safeInteger(`${field} must be a whole number`),
    v.minValue(0, `${field} must not be negative`),
  );
}

export const HTTP_SCHEMES = ['http:', 'https:'] as const;
export const HTTPS_SCHEMES = ['https:'] as const;

export function scope(field: string) {
  return v.pipe(
    text(field),
    v.check(
      (value) => value.split(' ').every((token) => token === '' || SCOPE_TOKEN.test(token)),
      `${field} must be space-separated scope tokens (RFC 6749 §3.3)`,
    ),
    // One space between tokens, no duplicates: the authorization server compares the tokens.
    v.transform((value) => [...new Set(value.split(' ').filter(Boolean))].join(' ')),
  );
}

/** A JWK Set by shape: {"keys": [ {"kty": ...}, ... ]}. Key material is checked in lib/metadata/jwks.ts. */
export function jwkSet(field: string) {
  return v.pipe(
    v.looseObject(
      {
        keys: v.pipe(
          v.array(
            // a missing "kty" is reported with the object's message
            v.looseObject(
              { kty: v.string(`every key of ${field} needs a "kty" string`) },
              `every member of ${field}.keys must be a JWK object with a "kty" string`,
            ),
            `${field} must be a JWK Set: an object with a "keys" array`,
          ),
          v.maxLength(MAX_JWKS_KEYS, `${field} may hold at most ${MAX_JWKS_KEYS} keys`),
        ),
      },
      `${field} must be a JWK Set: an object with a "keys" array`,
    ),
  );
}
