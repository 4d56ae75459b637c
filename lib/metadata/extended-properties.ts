import * as v from 'valibot';
import { isReservedPropertyName } from './field-names.js';

/** An operator-defined extra metadata name (the Extended properties setting). */
export interface ExtendedProperty {
  readonly name: string;
  /** true: an array of strings; false: one string. */
  readonly multiValued: boolean;
}

export const MAX_EXTENDED_VALUE_LENGTH = 1_024;
export const MAX_EXTENDED_VALUES = 50;

// One schema per shape, built at load; `{name}` in a message becomes the property's name.
const PLACEHOLDER = '{name}';
const SINGLE = v.pipe(
  v.string(`${PLACEHOLDER} must be a string`),
  v.maxLength(MAX_EXTENDED_VALUE_LENGTH, `${PLACEHOLDER} must be at most ${MAX_EXTENDED_VALUE_LENGTH} characters`),
);
const MULTI = v.pipe(
  v.array(
    v.pipe(
      v.string(`${PLACEHOLDER} must hold strings`),
      v.maxLength(MAX_EXTENDED_VALUE_LENGTH, `every value of ${PLACEHOLDER} must be at most ${MAX_EXTENDED_VALUE_LENGTH} characters`),
    ),
    `${PLACEHOLDER} must be an array of strings`,
  ),
  v.maxLength(MAX_EXTENDED_VALUES, `${PLACEHOLDER} may hold at most ${MAX_EXTENDED_VALUES} values`),
);

export interface ExtendedValue {
  readonly ok: boolean;
  /** The value to store when ok, else the message naming the property. */
  readonly value?: unknown;
  readonly message?: string;
}

/** The operator's extended properties a request may carry, by name (reserved names left out). */
export function usableExtendedProperties(properties: readonly ExtendedProperty[]): readonly ExtendedProperty[] {
  return properties.filter((property) => !isReservedPropertyName(property.name));
}

/** Parses one extended property value: a string, or an array of strings when multi-valued. */
export function parseExtendedValue(property: ExtendedProperty, value: unknown): ExtendedValue {
  const result = v.safeParse(property.multiValued ? MULTI : SINGLE, value, { abortEarly: true });
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, message: result.issues[0].message.replaceAll(PLACEHOLDER, property.name) };
}
