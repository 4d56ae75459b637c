import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type LifecycleEvent } from '../events/lifecycle-events.js';
import type { LifecycleEventSink } from '../events/process-changes.js';

// PutEvents takes at most 10 entries: larger batches go in several calls, one after the other.
const ENTRIES_PER_CALL = 10;

/** The lifecycle events on an EventBridge bus (source dcr.clients, detail-type the event's type). */
export class EventBridgeEventSink implements LifecycleEventSink {
  constructor(
    /** The bus's name or ARN; absent: the account's default bus. */
    private readonly busName: string | undefined,
    private readonly client: EventBridgeClient = new EventBridgeClient({ maxAttempts: 3 }),
  ) {}

  async publish(events: readonly LifecycleEvent[]): Promise<number[]> {
    const failed: number[] = [];
    for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
      const chunk = events.slice(start, start + ENTRIES_PER_CALL);
      try {
        const output = await this.client.send(new PutEventsCommand({ Entries: chunk.map((event) => this.entry(event)) }));
        // entries answer in order; one with an ErrorCode was not accepted
        (output.Entries ?? []).forEach((entry, offset) => {
          if (entry.ErrorCode !== undefined || entry.EventId === undefined) failed.push(start + offset);
        });
      } catch {
        for (let offset = 0; offset < chunk.length; offset++) failed.push(start + offset);
      }
    }
    return failed;
  }

  private entry(event: LifecycleEvent): PutEventsRequestEntry {
    return {
      Source: EVENT_SOURCE,
      DetailType: event.type,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.time),
      ...(this.busName !== undefined && { EventBusName: this.busName }),
    };
  }
}
