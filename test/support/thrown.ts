import { expect } from 'vitest';

/** What `act` throws, asserted to be an instance of `type` (the test fails if it throws nothing or something else). */
export function thrownBy<E extends Error>(act: () => unknown, type: abstract new (...args: any[]) => E): E {
  let caught: unknown;
  try {
    act();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  return caught as E;
}
