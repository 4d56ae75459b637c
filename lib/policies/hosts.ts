// Host names in policy options and in requested URIs, compared the way URL parsing spells them
// (lower case, IDNs in punycode, IPv6 in brackets).

/**
 * A configured host: `app.example.com` (that host only) or `.example.com` (any host below
 * example.com, not example.com itself). Returns the normalized form, or undefined when the entry is
 * not a bare host name (a port, path, user or scheme is a configuration mistake).
 */
export function normalizeHostEntry(entry: string): string | undefined {
  const suffix = entry.startsWith('.');
  const name = suffix ? entry.slice(1) : entry;
  if (name === '' || /[/?#@\\\s%]/.test(name) || (name.includes(':') && !name.startsWith('['))) return undefined;
  let url: URL;
  try {
    url = new URL(`https://${name}/`);
  } catch {
    return undefined;
  }
  if (url.port !== '' || url.hostname === '') return undefined;
  // a suffix needs two labels at least: `.com` would trust half the internet
  if (suffix && (!url.hostname.includes('.') || url.hostname.startsWith('[') || /^[\d.]+$/.test(url.hostname))) return undefined;
  return suffix ? `.${url.hostname}` : url.hostname;
}

/** Matches host names against normalized entries: a set lookup plus one endsWith per suffix. */
export class HostList {
  private readonly exact: ReadonlySet<string>;
  private readonly suffixes: readonly string[];

  constructor(entries: readonly string[]) {
    this.exact = new Set(entries.filter((entry) => !entry.startsWith('.')));
    this.suffixes = entries.filter((entry) => entry.startsWith('.'));
  }

  has(hostname: string): boolean {
    return this.exact.has(hostname) || this.suffixes.some((suffix) => hostname.endsWith(suffix));
  }
}

/** RFC 8252 §7.1: a private-use scheme is a reversed domain name the app's publisher controls: com.example.app -> app.example.com. */
export function privateUseSchemeDomain(protocol: string): string | undefined {
  const scheme = protocol.endsWith(':') ? protocol.slice(0, -1) : protocol;
  if (!scheme.includes('.')) return undefined;
  return scheme.toLowerCase().split('.').reverse().join('.');
}
