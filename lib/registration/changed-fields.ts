import type { ClientRecord } from './client.js';

// Which top-level fields differ between two versions of an object (client metadata before and after
// a change): values are compared by content, whatever the order of their keys, so a map read back
// from DynamoDB in another order is not "changed".

export function changedFields(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => canonical(before[name]) !== canonical(after[name])).sort();
}

function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonical(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
