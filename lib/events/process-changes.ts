import { log } from '../log.js';
import type { ClientQuota } from '../policies/client-quota.js';
import { type ClientChange, type LifecycleEvent, lifecycleEvents } from './lifecycle-events.js';

// One batch of the table's stream: the events of each write are published, and an expired client's
// cap places are given back. Records are handled in stream order; the first that fails is reported,
// and the stream gives it (and everything after it) again: its events carry the same ids, and a
// release is done once per expired client (a marker), so a replay publishes duplicates a consumer can
// drop by event_id and never gives a place back twice.

/** Publishes events (EventBridge in AWS, the console locally). */
export interface LifecycleEventSink {
  /** Returns the positions, in `events`, of the events that were not accepted. */
  publish(events: readonly LifecycleEvent[]): Promise<number[]>;
}

export interface StreamEntry {
  /** The stream record's sequence number: what a partial batch failure names. */
  readonly sequence: string;
  /** The write; absent for items that are not clients (cap counters, markers), which produce nothing. */
  readonly change?: ClientChange;
  /** The record could not be read: it fails (and, after the retries, goes to the failure destination). */
  readonly unreadable?: boolean;
}

export interface ChangeProcessing {
  readonly sink: LifecycleEventSink;
  /** The cap counters; absent when none are configured (expired clients then hold no places). */
  readonly quota?: ClientQuota;
}

/** Handles a batch; returns the sequence number of the first record that failed, if one did. */
export async function processChanges(entries: readonly StreamEntry[], processing: ChangeProcessing): Promise<string | undefined> {
  let firstFailure = entries.findIndex((entry) => entry.unreadable);
  const upTo = firstFailure < 0 ? entries.length : firstFailure;
  const events: { entry: number; event: LifecycleEvent }[] = [];
  for (let index = 0; index < upTo; index++) {
    const change = entries[index]!.change;
    if (change) for (const event of lifecycleEvents(change)) events.push({ entry: index, event });
  }
  const failed = await processing.sink.publish(events.map(({ event }) => event)).catch((error: Error) => {
    log('error', 'lifecycle events could not be published', { error: error.name, message: error.message });
    return events.map((_, position) => position);
  });
  const fail = (entry: number) => {
    if (firstFailure < 0 || entry < firstFailure) firstFailure = entry;
  };
  for (const position of failed) fail(events[position]!.entry);

  for (let index = 0; index < upTo; index++) {
    const change = entries[index]!.change;
    const counters = change?.expired ? (change.before?.quotaCounters ?? []) : [];
    if (!change || counters.length === 0) continue;
    try {
      if (!processing.quota) throw new Error('no counter store is configured');
      for (const key of counters) await processing.quota.releaseOnce(key, change.before!.clientId);
    } catch (error) {
      log('error', 'an expired client’s cap places could not be given back', {
        client_id: change.before!.clientId,
        error: (error as Error).name,
        message: (error as Error).message,
      });
      fail(index);
    }
  }
  return firstFailure < 0 ? undefined : entries[firstFailure]!.sequence;
}
