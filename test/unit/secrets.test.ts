import { describe, expect, it } from 'vitest';
import { hashSecret, matchesHash, newClientId, newSecret, type RandomSource } from '../../lib/tokens/secrets.js';
import { newServiceToken } from '../../lib/tokens/service-token.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const DRAWS = 2_000;

/** Records how many random bytes were asked for, and hands out a fixed pattern. */
function recordingRandom(): { random: RandomSource; requested: number[] } {
  const requested: number[] = [];
  return {
    requested,
    random: (bytes) => {
      requested.push(bytes);
      return Buffer.alloc(bytes, 0xfb);
    },
  };
}

describe('newSecret', () => {
  it('is 43 base64url characters without padding (256 random bits)', () => {
    // Act
    const secret = newSecret();

    // Assess
    expect(secret).toHaveLength(43);
    expect(secret).toMatch(BASE64URL);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('draws 32 bytes from the random source and encodes them as base64url', () => {
    // Prepare
    const { random, requested } = recordingRandom();

    // Act
    const secret = newSecret(random);

    // Assess
    expect(requested).toEqual([32]);
    expect(secret).toBe(Buffer.alloc(32, 0xfb).toString('base64url'));
    // 0xfb bytes encode to '-' and '_' in base64url ('+' and '/' in plain base64)
    expect(secret).toMatch(/[-_]/);
  });

  it(`never repeats over ${DRAWS} draws`, () => {
    // Act
    const secrets = new Set(Array.from({ length: DRAWS }, () => newSecret()));

    // Assess
    expect(secrets.size).toBe(DRAWS);
  });
});

describe('newClientId', () => {
  it('is 24 base64url characters without padding (144 random bits, at least 128 required)', () => {
    // Act
    const clientId = newClientId();

    // Assess
    expect(clientId).toHaveLength(24);
    expect(clientId).toMatch(BASE64URL);
    expect(Buffer.from(clientId, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('draws 18 bytes from the random source', () => {
    // Prepare
    const { random, requested } = recordingRandom();

    // Act
    const clientId = newClientId(random);

    // Assess
    expect(requested).toEqual([18]);
    // 0xfb bytes encode as "-_v7...": the leading "-" becomes "_" (see below)
    expect(clientId).toBe(`_${Buffer.alloc(18, 0xfb).toString('base64url').slice(1)}`);
  });

  it(`never repeats over ${DRAWS} draws`, () => {
    // Act
    const ids = new Set(Array.from({ length: DRAWS }, () => newClientId()));

    // Assess
    expect(ids.size).toBe(DRAWS);
  });
});

describe('hashSecret', () => {
  it('is the SHA-256 of the UTF-8 value in base64url (known vectors)', () => {
    // FIPS 180-2 test vectors, SHA-256("abc") and SHA-256(""), re-encoded as base64url without padding
    expect(hashSecret('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(hashSecret('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('differs from the secret it hashes and is 43 characters', () => {
    // Prepare
    const secret = newSecret();

    // Act
    const hash = hashSecret(secret);

    // Assess
    expect(hash).not.toBe(secret);
    expect(hash).toHaveLength(43);
    expect(hash).toMatch(BASE64URL);
  });
});

describe('matchesHash', () => {
  it('is true for the value that was hashed', () => {
    // Prepare
    const secret = newSecret();

    // Act / Assess
    expect(matchesHash(secret, hashSecret(secret))).toBe(true);
  });

  it('is false for another value', () => {
    // Prepare
    const stored = hashSecret(newSecret());

    // Act / Assess
    expect(matchesHash(newSecret(), stored)).toBe(false);
    expect(matchesHash('', stored)).toBe(false);
  });

  it('is false when the stored hash itself is presented', () => {
    // Prepare: someone who read the table must not be able to use what is stored there
    const stored = hashSecret(newSecret());

    // Act / Assess
    expect(matchesHash(stored, stored)).toBe(false);
  });

  it('is false when nothing is stored', () => {
    expect(matchesHash(newSecret(), undefined)).toBe(false);
  });

  it('is false, without throwing, for a stored hash of another length', () => {
    expect(matchesHash('abc', 'ungWv48Bz')).toBe(false);
  });
});

describe('ids people type into commands', () => {
  it('never start with "-", which a command line would read as an option', () => {
    // bytes whose base64url starts with "-": 0xf8 = 111110 00 -> index 62 = "-"
    const dashFirst: RandomSource = (bytes) => Buffer.alloc(bytes, 0xf8);

    expect(Buffer.alloc(18, 0xf8).toString('base64url')).toMatch(/^-/);
    expect(newClientId(dashFirst)).toMatch(/^_[A-Za-z0-9_-]{23}$/);
    expect(newServiceToken(dashFirst).id).toMatch(/^_[A-Za-z0-9_-]{21}$/);
  });
});
