import { describe, expect, it } from 'vitest';
import { HARNESS_SETTINGS, useHarness } from '../support/harness.js';

// useHarness registers its own hooks. The tests of this file run in order: the second checks what the
// hooks did after the first changed the settings.

const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('useHarness', () => {
  const h = useHarness({ settings: { rotateClientSecret: false } });
  let earlyUse: unknown;
  try {
    void h.settings;
  } catch (error) {
    earlyUse = error;
  }

  it('gives a handle that refuses use while the file is collected', () => {
    expect(earlyUse).toBeInstanceOf(Error);
    expect((earlyUse as Error).message).toMatch(/outside its tests/);
  });

  it('starts the harness before the tests, with HARNESS_SETTINGS and the settings of the options', async () => {
    expect(h.settings).toEqual({ ...HARNESS_SETTINGS, rotateClientSecret: false });
    expect((await h.register(METADATA)).status).toBe(201);
    h.configure({ registrationEnabled: false });
    expect((await h.register(METADATA)).status).toBe(404);
  });

  it('puts those settings back before each test', async () => {
    expect(h.settings).toEqual({ ...HARNESS_SETTINGS, rotateClientSecret: false });
    expect((await h.register(METADATA)).status).toBe(201);
  });
});
