import type { ClientChange, ClientRecord, ClientStore, ClientWrite, IdleRefresh, WriteGuard } from '../registration/client.js';
import { type LifecycleEvent, lifecycleEvents } from './lifecycle-events.js';

/**
 * Local mode has no table stream (the embedded DynamoDB has none): this wrapper gives each write's
 * before and after images to the same mapping the stream function uses, so a developer sees the same
 * events (an update tells the item as it was, so no read is added). DynamoDB's TTL sweep does not run
 * locally either, so ClientExpired is never seen here.
 */
export class EventTapStore implements ClientStore {
  constructor(
    private readonly inner: ClientStore,
    private readonly emit: (events: readonly LifecycleEvent[]) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async create(record: ClientRecord): Promise<void> {
    await this.inner.create(record);
    this.tap(undefined, record);
  }

  find(clientId: string): Promise<ClientRecord | undefined> {
    return this.inner.find(clientId);
  }

  /** Changes only the idle expiry: no event. */
  recordUse(clientId: string, refresh: IdleRefresh): Promise<boolean> {
    return this.inner.recordUse(clientId, refresh);
  }

  async update(clientId: string, change: ClientChange, guard: WriteGuard): Promise<ClientWrite> {
    const written = await this.inner.update(clientId, change, guard);
    // without the item as it was (a write whose answer was lost, read back) there is nothing to compare
    if (written.previous) this.tap(written.previous, written.record);
    return written;
  }

  async delete(clientId: string, guard: WriteGuard): Promise<ClientRecord | undefined> {
    const before = await this.inner.delete(clientId, guard);
    if (before) this.tap(before, undefined);
    return before;
  }

  private tap(before: ClientRecord | undefined, after: ClientRecord | undefined): void {
    const record = (after ?? before)!;
    const id = `local:${record.clientId}:${after ? `v${after.version}` : 'removed'}`;
    const events = lifecycleEvents({ id, time: Math.floor(this.now() / 1000), before, after, expired: false });
    if (events.length) this.emit(events);
  }
}
