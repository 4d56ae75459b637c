import { describe, expect, it } from 'vitest';
import { loadOnFirstUse } from '../../lib/load-on-first-use.js';

describe('loadOnFirstUse', () => {
  it('loads nothing until the first call, then once for every later and concurrent call', async () => {
    let loads = 0;
    const load = loadOnFirstUse(async () => ({ loaded: ++loads }));
    expect(loads).toBe(0);

    const [first, second] = await Promise.all([load(), load()]);
    const third = await load();

    expect(loads).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('forgets a load that failed: the caller sees the failure, the next call loads again', async () => {
    let loads = 0;
    const load = loadOnFirstUse(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk missing');
      return 'module';
    });

    await expect(load()).rejects.toThrow('chunk missing');
    await expect(load()).resolves.toBe('module');
    await expect(load()).resolves.toBe('module');
    expect(loads).toBe(2);
  });

  it('turns a load that throws before its promise into a rejection', async () => {
    const load = loadOnFirstUse<string>(() => {
      throw new Error('no such module');
    });

    await expect(load()).rejects.toThrow('no such module');
  });
});
