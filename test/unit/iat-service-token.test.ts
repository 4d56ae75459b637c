import { describe, expect, it } from 'vitest';
import { isServiceToken, newServiceToken, parseServiceToken } from '../../lib/tokens/service-token.js';

// Bytes chosen so the base64url of the id and of the secret contain '_' and '-': the separators of
// the token must still be found by position.
const underscoreHeavy = (bytes: number) => Buffer.alloc(bytes, 0xff);

describe('tokens issued by this service: dcriat_<id>_<secret>', () => {
  it('makes a 128-bit id and a 256-bit secret, base64url, behind the dcriat_ prefix', () => {
    const { id, secret, token } = newServiceToken();

    expect(token).toBe(`dcriat_${id}_${secret}`);
    expect({ id: Buffer.from(id, 'base64url').length, secret: Buffer.from(secret, 'base64url').length }).toEqual({ id: 16, secret: 32 });
    expect(token).toMatch(/^dcriat_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}$/);
  });

  it('makes a different token every time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newServiceToken().token));

    expect(tokens.size).toBe(50);
  });

  it('parses back the id and secret, even when both contain underscores', () => {
    const made = newServiceToken(underscoreHeavy);
    expect(made.id).toContain('_');
    expect(made.secret).toContain('_');

    expect(parseServiceToken(made.token)).toEqual({ id: made.id, secret: made.secret });
  });

  it.each([
    ['the prefix alone', 'dcriat_'],
    ['a short id', `dcriat_${'a'.repeat(21)}_${'b'.repeat(43)}`],
    ['a short secret', `dcriat_${'a'.repeat(22)}_${'b'.repeat(42)}`],
    ['a long secret', `dcriat_${'a'.repeat(22)}_${'b'.repeat(44)}`],
    ['a character outside base64url', `dcriat_${'a'.repeat(21)}=_${'b'.repeat(43)}`],
    ['no separator', `dcriat_${'a'.repeat(22)}${'b'.repeat(44)}`],
    ['another prefix', `DCRIAT_${'a'.repeat(22)}_${'b'.repeat(43)}`],
  ])('does not parse %s', (_what, token) => {
    expect(parseServiceToken(token)).toBeUndefined();
  });

  it('recognises the prefix, well-formed or not, and nothing else', () => {
    expect([
      isServiceToken('dcriat_x'),
      isServiceToken(newServiceToken().token),
      isServiceToken('eyJ.a.b'),
      isServiceToken('xdcriat_'),
    ]).toEqual([true, true, false, false]);
  });
});
