/** Parses an absolute URI; undefined when it is relative or malformed. */
export function parseAbsoluteUri(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
