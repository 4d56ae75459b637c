import * as v from 'valibot';
import { count, objectMessage } from './options.js';

/** How many clients may exist: in total, and per initial access token subject. */
export interface Caps {
  readonly total?: number;
  readonly per_subject?: number;
}

export const capsSchema = v.strictObject(
  { total: v.optional(count()), per_subject: v.optional(count()) },
  objectMessage('caps', 'total, per_subject'),
);

export function hasCaps(caps: Caps): boolean {
  return caps.total !== undefined || caps.per_subject !== undefined;
}
