import { describe, expect, it } from 'vitest';
import { openWithToken, sealForHolder } from '../../lib/tokens/held-credentials.js';
import { systemRandom } from '../../lib/tokens/secrets.js';

describe('held credentials (the pending answer of a rotation)', () => {
  const credentials = { registrationAccessToken: 's.new-token', clientSecret: 'new-secret', request: 'GET' };

  it('open only with the token and client they were sealed for', () => {
    const sealed = sealForHolder('s.old-token', 'client-a', credentials, systemRandom);

    expect(openWithToken('s.old-token', 'client-a', sealed)).toEqual(credentials);
    expect(openWithToken('s.other-token', 'client-a', sealed)).toBeUndefined();
    expect(openWithToken('s.old-token', 'client-b', sealed)).toBeUndefined();
  });

  it('carry no plaintext, differ on every sealing, and refuse damaged text', () => {
    const one = sealForHolder('s.old-token', 'client-a', credentials, systemRandom);
    const two = sealForHolder('s.old-token', 'client-a', credentials, systemRandom);
    const damaged = `${one.slice(0, -2)}${one.endsWith('A') ? 'B' : 'A'}${one.slice(-1)}`;

    expect(one).not.toBe(two);
    for (const plaintext of ['new-token', 'new-secret']) expect(one).not.toContain(plaintext);
    expect(openWithToken('s.old-token', 'client-a', damaged)).toBeUndefined();
    expect(openWithToken('s.old-token', 'client-a', 'h1.')).toBeUndefined();
    expect(openWithToken('s.old-token', 'client-a', 'x9.abc')).toBeUndefined();
  });
});
