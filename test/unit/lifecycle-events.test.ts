import { readdirSync, readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type LifecycleEvent, lifecycleEvents } from '../../lib/events/lifecycle-events.js';
import { type LifecycleEventSink, processChanges } from '../../lib/events/process-changes.js';
import type { ClientQuota } from '../../lib/policies/client-quota.js';
import { streamEntry } from '../../lib/store/client-stream.js';
import { EventBridgeEventSink } from '../../lib/store/eventbridge-event-sink.js';

// The stream function's mapping, with DynamoDB stream records shaped as Lambda receives them
// (NEW_AND_OLD_IMAGES; TTL deletions by the DynamoDB service), EventBridge behind aws-sdk-client-mock,
// and every produced event checked against its JSON Schema in docs/events/.

const SCHEMA_DIR = new URL('../../docs/events/', import.meta.url);
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: true, allErrors: true });
(addFormats as unknown as typeof addFormats.default)(ajv);
const validators = Object.fromEntries(
  readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.schema.json'))
    .map((name) => [name.replace('.schema.json', ''), ajv.compile(JSON.parse(readFileSync(new URL(name, SCHEMA_DIR), 'utf8')))]),
);

const T = 1_800_000_000;
const SECRET_HASH = 'c2VjcmV0LWhhc2gtb25lLXNlY3JldC1oYXNoLW9uZS1zZWM';
const TOKEN_HASH = 'dG9rZW4taGFzaC1vbmUtdG9rZW4taGFzaC1vbmUtdG9rZW4';

function item(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: 'Zq3Vb1X9yL0mN2pR4sT6uW8x',
    client_id_issued_at: T,
    metadata: { client_name: 'Stream App', redirect_uris: ['https://app.example/cb'], grant_types: ['authorization_code'] },
    client_secret_hash: SECRET_HASH,
    client_secret_expires_at: 0,
    registration_access_token_hash: TOKEN_HASH,
    version: 1,
    updated_at: T,
    registered_by: 'team-a',
    last_request_id: 'req-1',
    ...changes,
  };
}

let sequence = 100;
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
  ttl = false,
): DynamoDBRecord {
  const key = (images.new ?? images.old)!.client_id as string;
  return {
    eventID: `7de3041dd709b024af6f29e4fa13d34c${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      ApproximateCreationDateTime: T + 5,
      Keys: { client_id: { S: key } },
      ...(images.new && { NewImage: marshall(images.new, { removeUndefinedValues: true }) as never }),
      ...(images.old && { OldImage: marshall(images.old, { removeUndefinedValues: true }) as never }),
      SequenceNumber: String(++sequence).padStart(21, '0'),
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/clients/stream/2026-12-02T00:00:00.000',
    ...(ttl && { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }),
  };
}

function eventsOf(...records: DynamoDBRecord[]): LifecycleEvent[] {
  return records.flatMap((r) => {
    const entry = streamEntry(r);
    return entry.change ? lifecycleEvents(entry.change) : [];
  });
}

function expectValid(events: readonly LifecycleEvent[]): void {
  for (const event of events) {
    const validate = validators[event.type]!;
    expect(validate(event.detail), JSON.stringify(validate.errors)).toBe(true);
    const text = JSON.stringify(event);
    for (const secret of [SECRET_HASH, TOKEN_HASH, 'new-secret-hash', 'new-token-hash']) expect(text).not.toContain(secret);
  }
}

describe('lifecycle events from stream records', () => {
  it('has a schema for every event type', () => {
    expect(Object.keys(validators).sort()).toEqual([
      'ClientCredentialsRotated',
      'ClientDeleted',
      'ClientExpired',
      'ClientRegistered',
      'ClientUpdated',
    ]);
  });

  it('INSERT: ClientRegistered with the client, its registering subject, time and request id', () => {
    const events = eventsOf(record('INSERT', { new: item() }));

    expect(events).toEqual([
      {
        type: 'ClientRegistered',
        detail: {
          event_id: expect.stringMatching(/:ClientRegistered$/),
          client_id: 'Zq3Vb1X9yL0mN2pR4sT6uW8x',
          registered_by: 'team-a',
          time: new Date((T + 5) * 1000).toISOString(),
          request_id: 'req-1',
          version: 1,
          disabled: false,
        },
      },
    ]);
    expectValid(events);
  });

  it('MODIFY by a PUT with rotation: ClientUpdated naming the changed fields, and ClientCredentialsRotated', () => {
    const before = item();
    const after = item({
      metadata: { client_name: 'Renamed', redirect_uris: ['https://app.example/cb'], grant_types: ['authorization_code'], scope: 'read' },
      client_secret_hash: 'new-secret-hash',
      registration_access_token_hash: 'new-token-hash',
      version: 2,
      last_request_id: 'req-2',
    });

    const events = eventsOf(record('MODIFY', { old: before, new: after }));

    expect(events.map((event) => event.type)).toEqual(['ClientUpdated', 'ClientCredentialsRotated']);
    expect(events[0]!.detail).toMatchObject({ changed_fields: ['client_name', 'scope'], request_id: 'req-2', version: 2 });
    expect(events[1]!.detail).toMatchObject({ credentials: ['client_secret', 'registration_access_token'], request_id: 'req-2' });
    expectValid(events);
  });

  it('MODIFY that reorders a map or only refreshes the idle expiry: nothing', () => {
    const before = item({ idle_expires_at: T + 100 });
    const after = item({
      idle_expires_at: T + 900,
      metadata: { grant_types: ['authorization_code'], redirect_uris: ['https://app.example/cb'], client_name: 'Stream App' },
    });

    expect(eventsOf(record('MODIFY', { old: before, new: after }))).toEqual([]);
  });

  it('MODIFY by an operator who disables the client: ClientUpdated with "disabled", and the flag set', () => {
    const events = eventsOf(record('MODIFY', { old: item(), new: item({ disabled: true, version: 2, last_request_id: 'admin-1' }) }));

    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ changed_fields: ['disabled'], disabled: true, request_id: 'admin-1' });
    expectValid(events);
  });

  it('REMOVE by a request: ClientDeleted; REMOVE by the TTL service: ClientExpired', () => {
    const deleted = eventsOf(record('REMOVE', { old: item({ version: 3 }) }));
    const expired = eventsOf(record('REMOVE', { old: item({ idle_expires_at: T }) }, true));

    expect(deleted.map((event) => event.type)).toEqual(['ClientDeleted']);
    expect(deleted[0]!.detail).not.toHaveProperty('request_id');
    expect(expired.map((event) => event.type)).toEqual(['ClientExpired']);
    expectValid([...deleted, ...expired]);
  });

  it('cap counters and markers in the table produce nothing', () => {
    const counter = record('MODIFY', {
      old: { client_id: '#quota#total', client_count: 3 },
      new: { client_id: '#quota#total', client_count: 4 },
    });

    expect(streamEntry(counter).change).toBeUndefined();
    expect(eventsOf(counter)).toEqual([]);
  });

  it('the same record always yields the same event ids (replays can be dropped)', () => {
    const r = record('INSERT', { new: item() });

    expect(eventsOf(r)).toEqual(eventsOf(r));
  });
});

describe('a batch of stream records', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let releases: string[];
  const quota: ClientQuota = {
    take: () => Promise.resolve(true),
    release: () => Promise.resolve(),
    releaseOnce: async (key, clientId) => {
      releases.push(`${clientId} ${key}`);
    },
  };
  beforeEach(() => {
    eventBridge.reset();
    releases = [];
  });
  const published = () =>
    eventBridge.commandCalls(PutEventsCommand).flatMap((call) => (call.args[0].input as PutEventsCommandInput).Entries ?? []);

  it('publishes to the configured bus in PutEvents calls of at most 10 entries, source dcr.clients', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 0,
      Entries: input.Entries!.map((_, index) => ({ EventId: `id-${index}` })),
    }));
    const records = Array.from({ length: 12 }, (_, index) =>
      record('INSERT', { new: item({ client_id: `client-${index}`.padEnd(24, 'x') }) }),
    );

    const failed = await processChanges(records.map(streamEntry), {
      sink: new EventBridgeEventSink('dcr-bus', new EventBridgeClient({})),
      quota,
    });

    expect(failed).toBeUndefined();
    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.length)).toEqual([10, 2]);
    expect(published()[0]).toMatchObject({ Source: 'dcr.clients', DetailType: 'ClientRegistered', EventBusName: 'dcr-bus' });
    for (const entry of published()) expect(validators[entry.DetailType!]!(JSON.parse(entry.Detail!))).toBe(true);
  });

  it('reports the first record whose event EventBridge refused, so the stream gives it and the later ones again', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 1,
      Entries: input.Entries!.map((_, index) =>
        index === 1 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `id-${index}` },
      ),
    }));
    const records = [0, 1, 2].map((index) => record('INSERT', { new: item({ client_id: `client-${index}`.padEnd(24, 'x') }) }));

    const failed = await processChanges(records.map(streamEntry), { sink: new EventBridgeEventSink(undefined, new EventBridgeClient({})) });

    expect(failed).toBe(records[1]!.dynamodb!.SequenceNumber);
    expect(published()[0]).not.toHaveProperty('EventBusName');
  });

  it('gives back the cap places of an expired client (once per counter), not of a deleted one (DELETE did)', async () => {
    const sink: LifecycleEventSink = { publish: async () => [] };
    const counters = ['#quota#sub#team-a', '#quota#total'];
    const expired = record('REMOVE', { old: item({ quota_counters: counters }) }, true);
    const deleted = record('REMOVE', { old: item({ client_id: 'other-client-xxxxxxxxxxxx', quota_counters: counters }) });

    const failed = await processChanges([expired, deleted].map(streamEntry), { sink, quota });

    expect(failed).toBeUndefined();
    expect(releases).toEqual(counters.map((key) => `Zq3Vb1X9yL0mN2pR4sT6uW8x ${key}`));
  });

  it('a record that cannot be read, or a release that fails, is the reported failure', async () => {
    const sink: LifecycleEventSink = { publish: async () => [] };
    const good = record('INSERT', { new: item() });
    const broken = { ...record('INSERT', { new: item() }), eventID: undefined };
    const failingQuota: ClientQuota = { ...quota, releaseOnce: () => Promise.reject(new Error('throttled')) };
    const expired = record('REMOVE', { old: item({ quota_counters: ['#quota#total'] }) }, true);

    expect(await processChanges([good, broken].map(streamEntry), { sink })).toBe(broken.dynamodb!.SequenceNumber);
    expect(await processChanges([good, expired].map(streamEntry), { sink, quota: failingQuota })).toBe(expired.dynamodb!.SequenceNumber);
  });
});
