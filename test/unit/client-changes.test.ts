import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changedFields, clientChanges } from '../../lib/registration/changed-fields.js';
import type { ClientRecord } from '../../lib/registration/client.js';

const CLIENT: ClientRecord = {
  clientId: 'client-1',
  issuedAt: 1_700_000_000,
  metadata: {
    client_name: 'App',
    redirect_uris: ['https://app.example/cb'],
    jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
  } as unknown as ClientRecord['metadata'],
  secretHash: 'secret-hash-1',
  secretExpiresAt: 0,
  registrationTokenHash: 'token-hash-1',
  version: 1,
  updatedAt: 1_700_000_000,
};

function withMetadata(changes: Record<string, unknown>, record: ClientRecord = CLIENT): ClientRecord {
  return { ...record, metadata: { ...record.metadata, ...changes } as ClientRecord['metadata'] };
}

describe('clientChanges (the list of an audit line)', () => {
  it('names every field of a new client, and its issued credentials', () => {
    expect(clientChanges(undefined, CLIENT)).toEqual([
      'client_name',
      'jwks',
      'redirect_uris',
      'client_secret issued',
      'registration_access_token issued',
    ]);
  });

  it('names every field of a deleted client, and its removed credentials', () => {
    expect(clientChanges(CLIENT, undefined)).toEqual([
      'client_name',
      'jwks',
      'redirect_uris',
      'client_secret removed',
      'registration_access_token removed',
    ]);
  });

  it('names only the fields whose values differ, sorted, added and dropped ones included', () => {
    // Prepare
    const { client_name: _dropped, ...rest } = CLIENT.metadata as Record<string, unknown>;
    const after = { ...CLIENT, metadata: { ...rest, redirect_uris: ['https://app.example/cb2'], logo_uri: 'https://app.example/l.png' } };

    // Act / Assess
    expect(clientChanges(CLIENT, after as ClientRecord)).toEqual(['client_name', 'logo_uri', 'redirect_uris']);
  });

  it('sees no change in equal values, whatever the order of object members', () => {
    // Prepare: a DynamoDB map comes back in its own order
    const reordered = withMetadata({ jwks: { keys: [{ y: 'y', x: 'x', crv: 'P-256', kty: 'EC' }] } });

    // Act / Assess
    expect(clientChanges(CLIENT, reordered)).toEqual([]);
    expect(clientChanges(CLIENT, { ...CLIENT, version: 2, updatedAt: 1_800_000_000 })).toEqual([]);
  });

  it('sees a change inside a nested value and in the order of a list', () => {
    expect(clientChanges(CLIENT, withMetadata({ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x2', y: 'y' }] } }))).toEqual(['jwks']);
    expect(
      clientChanges(
        withMetadata({ redirect_uris: ['https://a.example/1', 'https://a.example/2'] }),
        withMetadata({ redirect_uris: ['https://a.example/2', 'https://a.example/1'] }),
      ),
    ).toEqual(['redirect_uris']);
  });

  it('flags rotated, removed and recoverable credentials by name, never by value', () => {
    // Act
    const rotated = clientChanges(CLIENT, { ...CLIENT, secretHash: 'secret-hash-2', registrationTokenHash: 'token-hash-2' });
    const removed = clientChanges(CLIENT, { ...CLIENT, secretHash: undefined, secretExpiresAt: undefined });
    const sealed = clientChanges(CLIENT, { ...CLIENT, secretSealed: 'local1.sealed' });
    const unsealed = clientChanges({ ...CLIENT, secretSealed: 'local1.sealed' }, CLIENT);

    // Assess
    expect(rotated).toEqual(['client_secret rotated', 'registration_access_token rotated']);
    expect(removed).toEqual(['client_secret removed']);
    expect(sealed).toEqual(['client_secret recoverable']);
    expect(unsealed).toEqual(['client_secret not recoverable']);
    expect(JSON.stringify([rotated, removed, sealed, unsealed])).not.toMatch(/hash-|sealed"/);
  });
});

// The definition changedFields must keep: a field changed when the canonical text of its value differs
// (object members sorted, undefined members left out).
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

function changedByText(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => canonical(before[name]) !== canonical(after[name])).sort();
}

/** The same value with every object's members in reverse order (as a map read back from DynamoDB may come). */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([name, member]) => [name, reordered(member)]),
    );
  }
  return value;
}

// small domains, so that equal values and shared member names are common
const KEYS = fc.constantFrom('a', 'b', 'c', 'd');
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('x', 'y', ''),
    fc.integer({ min: -2, max: 2 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(KEYS, tie('value'), { maxKeys: 3 }),
  ),
}));
const METADATA = fc.dictionary(KEYS, value, { maxKeys: 4 });

describe('changedFields (compared in place)', () => {
  it('names the same fields as comparing the canonical text of every value', () => {
    fc.assert(
      fc.property(METADATA, METADATA, (before, after) => {
        expect(changedFields(before, after)).toEqual(changedByText(before, after));
      }),
      { numRuns: 2000 },
    );
  });

  it('sees no change when only the order of object members differs, and a change when one value differs', () => {
    fc.assert(
      fc.property(METADATA, KEYS, value, (before, name, replacement) => {
        expect(changedFields(before, reordered(before) as Record<string, unknown>)).toEqual([]);
        const after = { ...before, [name]: replacement };
        expect(changedFields(before, after)).toEqual(changedByText(before, after));
      }),
      { numRuns: 2000 },
    );
  });
});
