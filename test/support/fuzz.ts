import fc from 'fast-check';
import { expect } from 'vitest';
import { FIELD_NAMES } from '../../lib/metadata/field-names.js';

// Generators and the common verdict of the property-based tests (test/integration/fuzz-*.test.ts).
// Every run is seeded and bounded (a number of runs and a time limit), so a failure replays.

export const FUZZ_SEED = 20_261_202;

/** fast-check parameters: a fixed seed, `numRuns` runs at most, and no more than `seconds` of them. */
export function fuzzParameters(numRuns: number, seconds: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns, interruptAfterTimeLimit: seconds * 1000, endOnFailure: true };
}

export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
  'prototype',
] as const;

/** Member names: the standard fields, prototype names, language-tagged forms of both, and anything. */
export const memberName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...FIELD_NAMES, ...PROTOTYPE_NAMES),
        fc.oneof(fc.constantFrom('en', 'ja-Jpan-JP', ...PROTOTYPE_NAMES), fc.string()),
      )
      .map(([base, tag]) => `${base}#${tag}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
);

/** A JSON value with prototype names among its keys, a few levels deep. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('https://app.example/cb', 'http://127.0.0.1/cb', 'https://169.254.169.254/', 'javascript:alert(1)', 'code', 'none'),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, 'keys', 'kty'), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** JSON text of an object, written by hand so that a `__proto__` member survives (JSON.stringify keeps it only as an own member). */
export function objectText(members: readonly (readonly [string, unknown])[]): string {
  return `{${members.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}

/** Request bodies: generated metadata objects, a wrong type for each field, deep nesting, huge strings, and text that is not JSON. */
export const bodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.tuple(memberName, jsonValue), { maxLength: 8 }).map(objectText) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom(...FIELD_NAMES), jsonValue).map(([field, value]) =>
      objectText([
        ['redirect_uris', ['https://app.example/cb']],
        [field, value],
      ]),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 6_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('redirect_uris', 'jwks', 'x'))
      .map(([depth, open, field]) => {
        const close = open === '[' ? ']' : '}';
        return `{"${field}":${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}}`;
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...FIELD_NAMES, 'x'), fc.integer({ min: 1_000, max: 70_000 }), fc.constantFrom('a', 'é', '💥', '"'))
      .map(([field, length, unit]) => objectText([[field, unit.repeat(Math.ceil(length / unit.length))]])),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 900, max: 1_200 })
      .map((count) => `{"redirect_uris":[${Array(count).fill('"https://a.example/cb"').join(',')}]}`),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.json({ maxDepth: 3 })) },
);

/** Client ids of every shape: ours (24 base64url characters), long, unicode, percent-escapes, empty. */
export const clientIdText: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{24}$/),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 2_000, max: 5_000 }).map((length) => 'a'.repeat(length)),
  fc.constantFrom('%E0%A4%A', '%', '%zz', '%00', '..', '.', '%2F', '💥', ''),
  fc.array(fc.constantFrom('%', 'E0', 'A4', 'zz', 'a', '/', '%2', '00'), { maxLength: 8 }).map((parts) => parts.join('')),
);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json;;;',
    'text/plain',
    'application/jwt',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
    ' ',
  ),
  fc.string({ maxLength: 40 }),
);

/** Authorization header values: none, blank, Bearer with and without a token, other schemes, garbage. */
export function authorization(validToken: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom(
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${validToken}`,
      `bearer ${validToken}`,
      `Bearer  ${validToken}`,
      `Bearer ${validToken} extra`,
      'Basic dXNlcjpwYXNz',
      'Bearer a.b.c',
      'Bearer dcriat_x_y',
      `Bearer ${'A'.repeat(5_000)}`,
    ),
    fc.string({ maxLength: 60 }).map((token) => `Bearer ${token}`),
    fc.string({ maxLength: 60 }),
  );
}

/** What every answer must be: below 500, and a JSON body with an `error` string when it is a 4xx (except a bodiless 405). */
export function expectSafeAnswer(status: number, body: string, context: string): void {
  expect(status, context).toBeGreaterThanOrEqual(200);
  expect(status, context).toBeLessThan(500);
  if (status >= 400 && !(status === 405 && body === '')) {
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(body)), context).not.toThrow();
    expect((parsed as { error?: unknown }).error, context).toEqual(expect.any(String));
  }
}

/** Requests and the statuses seen by one fuzz file, printed once at its end (for the issue's figures). */
export class FuzzTally {
  private readonly statuses = new Map<number, number>();
  private total = 0;

  constructor(private readonly name: string) {}

  count(status: number): void {
    this.total++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  report(): void {
    const seen = [...this.statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    console.log(`fuzz ${this.name}: ${this.total} requests; statuses ${seen.join(', ')}`);
  }
}
