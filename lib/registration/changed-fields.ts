import type { ClientRecord } from './client.js';

// Which top-level fields differ between two versions of an object (client metadata before and after
// a change): values are compared by content, whatever the order of their keys, so a map read back
// from DynamoDB in another order is not "changed". An object member that is undefined counts as absent.
// Compared in place, with no copy or string built: every audit line of a change runs this.

export function changedFields(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string[] {
  const changed: string[] = [];
  for (const name in before) {
    if (Object.hasOwn(before, name) && !sameValue(before[name], ownValue(after, name))) changed.push(name);
  }
  for (const name in after) {
    if (Object.hasOwn(after, name) && !Object.hasOwn(before, name) && after[name] !== undefined) changed.push(name);
  }
  return changed.sort();
}

function ownValue(object: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/** Equal JSON data: the same primitive, arrays equal member by member, objects with equal defined members. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Readonly<Record<string, unknown>>;
  const y = b as Readonly<Record<string, unknown>>;
  let defined = 0;
  for (const name in x) {
    if (!Object.hasOwn(x, name) || x[name] === undefined) continue;
    defined++;
    if (!sameValue(x[name], ownValue(y, name))) return false;
  }
  for (const name in y) if (Object.hasOwn(y, name) && y[name] !== undefined) defined--;
  return defined === 0;
}

/**
 * What changed between two states of a client, by name only, for the audit line of a client change:
 * the metadata fields that differ (changedFields), then flags for the credentials, never a value or a
 * hash: "client_secret issued|rotated|removed", "client_secret recoverable|not recoverable",
 * "registration_access_token issued|rotated|removed". `before` undefined: a new client; `after`
 * undefined: a deleted one.
 */
export function clientChanges(before: ClientRecord | undefined, after: ClientRecord | undefined): string[] {
  const changed = changedFields(before?.metadata ?? {}, after?.metadata ?? {});
  const secret = credentialChange('client_secret', before?.secretHash, after?.secretHash);
  if (secret) changed.push(secret);
  else if (before?.secretHash !== undefined && (before.secretSealed === undefined) !== (after?.secretSealed === undefined)) {
    changed.push(after?.secretSealed === undefined ? 'client_secret not recoverable' : 'client_secret recoverable');
  }
  const token = credentialChange('registration_access_token', before?.registrationTokenHash, after?.registrationTokenHash);
  if (token) changed.push(token);
  return changed;
}

function credentialChange(name: string, before: string | undefined, after: string | undefined): string | undefined {
  if (before === after) return undefined;
  if (before === undefined) return `${name} issued`;
  if (after === undefined) return `${name} removed`;
  return `${name} rotated`;
}
