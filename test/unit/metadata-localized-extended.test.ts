import { describe, expect, it } from 'vitest';
import type { ExtendedProperty } from '../../lib/metadata/extended-properties.js';
import { isLanguageTag } from '../../lib/metadata/language-tag.js';
import type { MetadataContext } from '../../lib/metadata/validate.js';
import { accept, CONTEXT, REDIRECT, reject } from '../support/metadata-fixtures.js';

// Language-tagged fields (RFC 7591 §2.2, BCP 47 tags) and the operator's extended properties.

const BASE = { redirect_uris: [REDIRECT] };

describe('language tags (RFC 5646 shape, case-insensitive)', () => {
  it.each([
    'ja-Jpan-JP',
    'en',
    'en-US',
    'EN-us',
    'fil',
    'zh-Hant-TW',
    'zh-cmn-Hans-CN',
    'es-419',
    'de-CH-1901',
    'sl-rozaj-biske',
    'en-a-bbb-x-a-ccc',
    'x-private',
    'frrr',
    'haw-US',
  ])('%s is a language tag', (tag) => {
    expect(isLanguageTag(tag)).toBe(true);
  });

  it.each([
    '',
    'e',
    'en-',
    '-en',
    'en_US',
    'en--US',
    'toolonglanguage',
    '1234',
    'en-US-',
    'en-Latn-Latn',
    'en-U',
    'en-USA1',
    'en-x',
    'en-x-toolongprivate',
    'i-klingon',
    'ja Jpan',
    'ja-Jpan-JP\n',
    `en-${'a'.repeat(64)}`,
  ])('%j is not a language tag', (tag) => {
    expect(isLanguageTag(tag)).toBe(false);
  });
});

describe('language-tagged fields', () => {
  const LOCALIZED: readonly [string, string][] = [
    ['client_name', 'アプリ'],
    ['logo_uri', 'https://client.example/logo-ja.png'],
    ['client_uri', 'https://client.example/ja/'],
    ['policy_uri', 'https://client.example/ja/policy'],
    ['tos_uri', 'https://client.example/ja/tos'],
  ];

  it.each(LOCALIZED)('stores %s#ja-Jpan-JP beside the base field', async (field, value) => {
    // Act
    const metadata = await accept({ ...BASE, [field]: 'https://client.example/x', [`${field}#ja-Jpan-JP`]: value });

    // Assess
    expect(metadata[`${field}#ja-Jpan-JP`]).toBe(value);
  });

  it('keeps a tagged field without its base field, with the tag as sent', async () => {
    // Act
    const metadata = await accept({ ...BASE, 'client_name#DE-ch': 'Beispiel', 'client_name#fr': 'Exemple' });

    // Assess
    expect(metadata).toMatchObject({ 'client_name#DE-ch': 'Beispiel', 'client_name#fr': 'Exemple' });
    expect(metadata).not.toHaveProperty('client_name');
  });

  it.each([
    ['client_name#fr', '', 'client_name#fr must not be empty'],
    ['client_name#fr', 123, 'client_name#fr must be a string, not 123'],
    ['client_name#fr', null, 'client_name#fr must be a string, not null'],
    ['client_name#fr', [], 'client_name#fr must be a string, not []'],
    ['logo_uri#fr', 'ftp://client.example/logo.png', 'logo_uri#fr must use http or https'],
    ['client_uri#fr', '/relative', 'client_uri#fr must be an absolute URI'],
    ['policy_uri#fr', 'https://client.example/#x', 'policy_uri#fr must not have a fragment'],
    ['tos_uri#fr', true, 'tos_uri#fr must be a string'],
  ])('validates %s like its base field: %j is refused', async (name, value, says) => {
    // Act
    const error = await reject({ ...BASE, [name]: value });

    // Assess
    expect({ status: error.status, error: error.error, description: error.description }).toEqual({
      status: 400,
      error: 'invalid_client_metadata',
      description: expect.stringContaining(says),
    });
  });

  it.each(['client_name#', 'client_name#en_US', 'logo_uri#toolonglanguage', 'tos_uri#i-klingon'])(
    'refuses %s: not a BCP 47 tag',
    async (name) => {
      // Act
      const error = await reject({ ...BASE, [name]: 'https://client.example/' });

      // Assess
      expect(error.error).toBe('invalid_client_metadata');
      expect(error.description).toBe(`${name} does not end in a valid BCP 47 language tag`);
    },
  );

  it('refuses the same tag twice in different case', async () => {
    // Act
    const error = await reject({ ...BASE, 'client_name#en-US': 'A', 'client_name#EN-us': 'B' });

    // Assess
    expect(error.description).toContain('name the same language-tagged field');
  });

  it('ignores a tag on a field that cannot be localized', async () => {
    // Act
    const metadata = await accept({ ...BASE, 'scope#en': 'openid', 'jwks_uri#fr': 'x', 'nonsense#fr': 1 });

    // Assess
    expect(Object.keys(metadata).filter((name) => name.includes('#'))).toEqual([]);
  });

  it('caps the number of tagged fields at 100', async () => {
    // Prepare
    const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`client_name#x-n${i}`, `Name ${i}`]));

    // Act
    const atCap = await accept({ ...BASE, ...tags(100) });
    const error = await reject({ ...BASE, ...tags(101) });

    // Assess
    expect(Object.keys(atCap).filter((name) => name.startsWith('client_name#'))).toHaveLength(100);
    expect(error.description).toBe('at most 100 language-tagged fields may be registered');
  });
});

describe('extended properties', () => {
  const PROPERTIES: readonly ExtendedProperty[] = [
    { name: 'department', multiValued: false },
    { name: 'cost_centers', multiValued: true },
  ];
  const context = (extendedProperties: readonly ExtendedProperty[] = PROPERTIES): MetadataContext => ({ ...CONTEXT, extendedProperties });

  it('stores a configured single-valued and multi-valued property, after the standard fields', async () => {
    // Act
    const metadata = await accept({ ...BASE, cost_centers: ['cc-1', 'cc-2'], department: 'Sales', client_name: 'App' }, context());

    // Assess
    expect(metadata).toMatchObject({ department: 'Sales', cost_centers: ['cc-1', 'cc-2'], client_name: 'App' });
    expect(Object.keys(metadata).slice(-2)).toEqual(['cost_centers', 'department']);
  });

  it.each([
    ['an empty string', 'department', ''],
    ['a 1024-character string', 'department', 'x'.repeat(1024)],
    ['an empty array', 'cost_centers', []],
    ['50 values', 'cost_centers', Array.from({ length: 50 }, (_, i) => `cc-${i}`)],
  ])('accepts %s', async (_, name, value) => {
    // Act
    const metadata = await accept({ ...BASE, [name]: value }, context());

    // Assess
    expect(metadata[name]).toEqual(value);
  });

  it('ignores properties the operator has not configured', async () => {
    // Act
    const metadata = await accept({ ...BASE, department: 'Sales', team: 'Blue' }, context([{ name: 'team', multiValued: false }]));

    // Assess
    expect(metadata).toMatchObject({ team: 'Blue' });
    expect(metadata).not.toHaveProperty('department');
  });

  it.each([
    ['department', ['Sales'], 'department must be a string'],
    ['department', 123, 'department must be a string'],
    ['department', null, 'department must be a string'],
    ['department', 'x'.repeat(1025), 'department must be at most 1024 characters'],
    ['cost_centers', 'cc-1', 'cost_centers must be an array of strings'],
    ['cost_centers', null, 'cost_centers must be an array of strings'],
    ['cost_centers', ['cc-1', 2], 'cost_centers must hold strings'],
    ['cost_centers', ['x'.repeat(1025)], 'every value of cost_centers must be at most 1024 characters'],
    ['cost_centers', Array.from({ length: 51 }, (_, i) => `cc-${i}`), 'cost_centers may hold at most 50 values'],
  ])('refuses %s = %j', async (name, value, says) => {
    // Act
    const error = await reject({ ...BASE, [name]: value }, context());

    // Assess
    expect({ status: error.status, error: error.error, description: error.description }).toEqual({
      status: 400,
      error: 'invalid_client_metadata',
      description: says,
    });
  });

  it("never lets a property named like a standard field replace that field's validation", async () => {
    // Prepare: an operator configured "client_name" and "redirect_uris" as multi-valued extended properties
    const overlapping = context([
      { name: 'client_name', multiValued: true },
      { name: 'redirect_uris', multiValued: false },
    ]);

    // Act
    const asArray = await reject({ ...BASE, client_name: ['A', 'B'] }, overlapping);
    const asUri = await reject({ redirect_uris: 'https://client.example/cb' }, overlapping);
    const valid = await accept({ ...BASE, client_name: 'App' }, overlapping);

    // Assess
    expect(asArray.description).toBe('client_name must be a string, not ["A","B"]');
    expect(asUri.error).toBe('invalid_redirect_uri');
    expect(valid.client_name).toBe('App');
  });

  it('never stores a property named like a client information member', async () => {
    // Prepare
    const reserved = context(
      ['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri'].map((name) => ({ name, multiValued: false })),
    );

    // Act
    const metadata = await accept(
      {
        ...BASE,
        client_id: 'mine',
        client_secret: 'mine',
        registration_access_token: 'mine',
        registration_client_uri: 'https://evil.example/',
      },
      reserved,
    );

    // Assess
    for (const name of ['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri'])
      expect(metadata).not.toHaveProperty(name);
  });
});
