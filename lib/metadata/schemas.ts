import * as v from 'valibot';
import { MAX_ARRAY_LENGTH, MAX_JWKS_KEYS, MAX_STRING_LENGTH } from './limits.js';
import { parseAbsoluteUri } from './uri.js';
import { SCOPE_TOKEN } from './values.js';

// Schema builders: each takes the field name, so every message names the field it is about.
// Schemas are built once at module load; per request only safeParse runs.

export type FieldSchema = v.GenericSchema<unknown, unknown>;

const show = (value: unknown) => {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
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

/** An absolute URI whose scheme is in `schemes` (lower case, with the colon), without a fragment. */
export function uri(field: string, schemes: readonly string[]) {
  const names = schemes.map((scheme) => scheme.slice(0, -1)).join(' or ');
  return v.pipe(
    text(field),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = uriProblem(dataset.value, schemes, names);
      if (problem) addIssue({ message: `${field} ${problem}: ${show(dataset.value)}` });
    }),
  );
}

function uriProblem(value: string, schemes: readonly string[], names: string): string | undefined {
  const parsed = parseAbsoluteUri(value);
  if (!parsed) return 'must be an absolute URI';
  if (!schemes.includes(parsed.protocol)) return `must use ${names}`;
  if (value.includes('#')) return 'must not have a fragment';
  return undefined;
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
            v.looseObject({ kty: v.string(`every key of ${field} needs a "kty" string`) }, `every member of ${field}.keys must be a JWK object`),
            `${field} must be a JWK Set: an object with a "keys" array`,
          ),
          v.maxLength(MAX_JWKS_KEYS, `${field} may hold at most ${MAX_JWKS_KEYS} keys`),
        ),
      },
      `${field} must be a JWK Set: an object with a "keys" array`,
    ),
  );
}
