import * as v from 'valibot';

// Schema pieces the built-in policies build their options from. Messages name the problem; the
// loader (config.ts) puts the JSON path in front, so they need not name the option.

export const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
};

/** The message of a strict object's issue: an unknown member, a missing one, or not an object at all. */
export function objectMessage(what: string, known: string) {
  return (issue: v.StrictObjectIssue) => {
    if (issue.expected === 'never') return `unknown option ${show(issue.input)} of ${what}${known ? ` (known: ${known})` : ''}`;
    if (issue.path?.length) return 'is required';
    return `${what} must be a JSON object, not ${show(issue.input)}`;
  };
}

/** `{"policy": name, ...options}`: any other member is refused, so a misspelt option never goes unnoticed. */
export function policyOptions<const E extends v.ObjectEntries>(name: string, entries: E) {
  return v.strictObject({ policy: v.literal(name), ...entries }, objectMessage(`policy ${name}`, Object.keys(entries).join(', ')));
}

export function flag() {
  return v.boolean((issue) => `must be true or false, not ${show(issue.input)}`);
}

export function count() {
  return v.pipe(
    v.number((issue) => `must be a number, not ${show(issue.input)}`),
    v.safeInteger('must be a whole number'),
    v.minValue(0, 'must not be negative'),
  );
}

export function nonEmptyString() {
  return v.pipe(
    v.string((issue) => `must be a string, not ${show(issue.input)}`),
    v.nonEmpty('must not be empty'),
  );
}

export function listOf<T extends v.GenericSchema>(item: T, options: { min?: number; max?: number } = {}) {
  const { min = 0, max = 1_000 } = options;
  return v.pipe(
    v.array(item, (issue) => `must be an array, not ${show(issue.input)}`),
    v.minLength(min, `must hold at least ${min} value${min === 1 ? '' : 's'}`),
    v.maxLength(max, `may hold at most ${max} values`),
  );
}

export function oneOf<const T extends readonly string[]>(values: T) {
  return v.picklist(values, (issue) => `${show(issue.input)} is not supported; supported: ${values.join(', ')}`);
}

/** What to do with a requested value the policy does not list: refuse the request, or drop the value. */
export type Unlisted = 'reject' | 'drop';
export const unlisted = () => v.optional(oneOf(['reject', 'drop'] as const), 'reject');
