import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromAttributeMap, toAttributeMap } from '../../lib/store/attribute-values.js';
import { toItem } from '../../lib/store/item.js';

// The service's own codec must write exactly what @aws-sdk/util-dynamodb wrote before it (with the
// options it used: removeUndefinedValues, convertClassInstanceToMap), and read what util-dynamodb reads.
const UTIL_OPTIONS = { removeUndefinedValues: true, convertClassInstanceToMap: true } as const;

const NAME = fc.oneof(
  fc.constantFrom('client_name', 'redirect_uris', 'jwks', 'keys', 'constructor', 'toString', 'a'),
  fc.string({ maxLength: 8 }),
);
const NUMBER = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12 }),
    NUMBER,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    // a member named __proto__ is compared separately: util-dynamodb's reading replaces the prototype with it
    fc.dictionary(NAME, tie('value'), { maxKeys: 4 }).filter((map) => !Object.hasOwn(map, '__proto__')),
  ),
}));
const ITEM = fc.dictionary(NAME, value, { maxKeys: 6 }).filter((map) => !Object.hasOwn(map, '__proto__'));

const { attribute } = fc.letrec((tie) => ({
  attribute: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12 }).map((S): AttributeValue => ({ S })),
    NUMBER.map((n): AttributeValue => ({ N: String(n) })),
    fc.boolean().map((BOOL): AttributeValue => ({ BOOL })),
    fc.constant<AttributeValue>({ NULL: true }),
    fc.array(tie('attribute') as fc.Arbitrary<AttributeValue>, { maxLength: 4 }).map((L): AttributeValue => ({ L })),
    fc
      .dictionary(NAME, tie('attribute') as fc.Arbitrary<AttributeValue>, { maxKeys: 4 })
      .filter((map) => !Object.hasOwn(map, '__proto__'))
      .map((M): AttributeValue => ({ M })),
    fc.uniqueArray(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }).map((SS): AttributeValue => ({ SS })),
    fc.uniqueArray(fc.integer(), { minLength: 1, maxLength: 3 }).map((ns): AttributeValue => ({ NS: ns.map(String) })),
  ),
}));
/**
 * A value as comparable data: members as [name, value] pairs in their order, sets marked, prototypes
 * checked (toStrictEqual would compare a member named "constructor" as the class).
 */
function shape(value: unknown): unknown {
  if (value instanceof Set) return { set: [...value].map(shape) };
  if (Array.isArray(value)) return { list: value.map(shape) };
  if (typeof value === 'bigint') return { bigint: String(value) };
  if (value === undefined) return { undefined: true };
  if (value !== null && typeof value === 'object') {
    return {
      prototype: Object.getPrototypeOf(value) === Object.prototype,
      members: Object.entries(value).map(([name, member]) => [name, shape(member)]),
    };
  }
  return value;
}

const ATTRIBUTE_MAP = fc.dictionary(NAME, attribute, { maxKeys: 6 }).filter((map) => !Object.hasOwn(map, '__proto__'));

describe('the attribute value codec', () => {
  it('writes what util-dynamodb marshall writes, for any JSON data', () => {
    fc.assert(
      fc.property(ITEM, (item) => {
        expect(shape(toAttributeMap(item))).toEqual(shape(marshall(item, UTIL_OPTIONS)));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads what util-dynamodb unmarshall reads, sets included, and reads back what it wrote', () => {
    fc.assert(
      fc.property(ATTRIBUTE_MAP, (map) => {
        expect(shape(fromAttributeMap(map))).toEqual(shape(unmarshall(map)));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(ITEM, (item) => {
        expect(shape(fromAttributeMap(toAttributeMap(item)))).toEqual(shape(unmarshall(marshall(item, UTIL_OPTIONS))));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes a client item as before, and reads it back as it was', () => {
    // Prepare
    const item = toItem({
      clientId: 'AAAAAAAAAAAAAAAAAAAAAAAA',
      issuedAt: 1_764_000_000,
      metadata: {
        client_name: 'App',
        redirect_uris: ['https://app.example/cb'],
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
        require_signed_request_object: false,
        default_max_age: 3600,
      },
      secretHash: 'hash',
      registrationTokenHash: 'token-hash',
      version: 1,
      updatedAt: 1_764_000_000,
      quotaCounters: ['#quota#total'],
    }) as unknown as Record<string, unknown>;

    // Act
    const written = toAttributeMap(item);

    // Assess
    expect(written).toStrictEqual(marshall(item, UTIL_OPTIONS));
    expect(fromAttributeMap(written)).toStrictEqual(JSON.parse(JSON.stringify(item)));
  });

  it('keeps a member named __proto__ as an own member, and refuses what is not JSON data', () => {
    // Prepare
    const map = JSON.parse('{"__proto__": {"S": "x"}, "a": {"M": {"__proto__": {"N": "1"}}}}') as Record<string, AttributeValue>;

    // Act
    const read = fromAttributeMap(map);

    // Assess
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toBe('x');
    expect(Object.getOwnPropertyDescriptor(read.a, '__proto__')?.value).toBe(1);
    expect(toAttributeMap(JSON.parse('{"__proto__": "x"}'))).toEqual(JSON.parse('{"__proto__": {"S": "x"}}'));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, 10n, new Set(['a']), new Uint8Array(1)]) {
      expect(() => toAttributeMap({ bad })).toThrow(TypeError);
    }
  });
});
