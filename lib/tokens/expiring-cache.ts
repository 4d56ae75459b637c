/**
 * A small in-memory cache whose entries each carry their own deadline (milliseconds since the
 * epoch). Bounded: past `maxEntries`, the oldest entry goes (a Map keeps insertion order).
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now < entry.until) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Does nothing when the deadline has passed already. */
  set(key: string, value: V, until: number, now: number): void {
    if (until <= now) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until });
  }
}
