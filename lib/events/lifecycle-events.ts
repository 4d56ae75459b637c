import { changedFields } from '../registration/changed-fields.js';
import type { ClientRecord } from '../registration/client.js';

// The lifecycle events (docs/lifecycle.md, schemas in docs/events/): what happened to a client, from
// its item before and after a write. Fed by the table's stream in AWS and by the local server's store
// wrapper locally, through this one mapping. An event names the client, who registered it, when, and
// the request that did it; never a secret, a token or a hash.

export const EVENT_SOURCE = 'dcr.clients';

export type LifecycleEventType = 'ClientRegistered' | 'ClientUpdated' | 'ClientCredentialsRotated' | 'ClientDeleted' | 'ClientExpired';

export type RotatedCredential = 'client_secret' | 'registration_access_token';

export interface LifecycleEventDetail {
  /** Deterministic: the same change always yields the same id, so a consumer can drop replays. */
  readonly event_id: string;
  readonly client_id: string;
  /** Subject of the initial access token that registered the client; null for an anonymous registration. */
  readonly registered_by: string | null;
  /** ISO 8601: when the change was written. */
  readonly time: string;
  /** The request that made the change (absent for deletions and expiry: a deleted item cannot carry it). */
  readonly request_id?: string;
  /** The item's version after the change (before it, for deletions and expiry). */
  readonly version: number;
  /** Disabled by an operator (after the change). */
  readonly disabled: boolean;
  /** ClientUpdated: the metadata fields that changed, and "disabled" when an operator flipped it. */
  readonly changed_fields?: readonly string[];
  /** ClientCredentialsRotated: which credentials were replaced. */
  readonly credentials?: readonly RotatedCredential[];
}

export interface LifecycleEvent {
  readonly type: LifecycleEventType;
  readonly detail: LifecycleEventDetail;
}

/** One write to the client table, as its stream (or the local store wrapper) reports it. */
export interface ClientChange {
  /** Unique per write (the stream record's eventID): event ids derive from it. */
  readonly id: string;
  /** Seconds since the epoch. */
  readonly time: number;
  readonly before?: ClientRecord;
  readonly after?: ClientRecord;
  /** Removed by DynamoDB's TTL (idle expiry), not by a request. */
  readonly expired: boolean;
}

/** The events one write produces: none for writes that change nothing a consumer sees (a use record). */
export function lifecycleEvents(change: ClientChange): LifecycleEvent[] {
  const { before, after } = change;
  const event = (type: LifecycleEventType, record: ClientRecord, extra: Partial<LifecycleEventDetail> = {}): LifecycleEvent => ({
    type,
    detail: {
      event_id: `${change.id}:${type}`,
      client_id: record.clientId,
      registered_by: record.registeredBy ?? null,
      time: new Date(change.time * 1000).toISOString(),
      ...(record === after && record.lastRequestId !== undefined && { request_id: record.lastRequestId }),
      version: record.version,
      disabled: record.disabled === true,
      ...extra,
    },
  });
  if (!before && after) return [event('ClientRegistered', after)];
  if (before && !after) return [event(change.expired ? 'ClientExpired' : 'ClientDeleted', before)];
  if (!before || !after) return [];

  const events: LifecycleEvent[] = [];
  const fields = changedFields(before.metadata, after.metadata);
  if ((before.disabled === true) !== (after.disabled === true)) fields.push('disabled');
  if (fields.length) events.push(event('ClientUpdated', after, { changed_fields: fields }));
  const credentials: RotatedCredential[] = [];
  if (before.secretHash !== after.secretHash && after.secretHash !== undefined) credentials.push('client_secret');
  if (before.registrationTokenHash !== after.registrationTokenHash) credentials.push('registration_access_token');
  if (credentials.length) events.push(event('ClientCredentialsRotated', after, { credentials }));
  return events;
}
