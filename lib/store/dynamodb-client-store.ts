import { changedFields } from '../registration/changed-fields.js';
import {
  type ClientChange,
  type ClientRecord,
  type ClientStore,
  type ClientWrite,
  GuardFailedError,
  type IdleRefresh,
  isIdleExpired,
  isSecretExpired,
  type WriteGuard,
} from '../registration/client.js';
import { inRecovery } from '../time-budget.js';
import { DynamoDbDocuments, type DynamoDbDocumentsConfig } from './dynamodb-documents.js';
import {
  callDynamoDb,
  isConditionFailed,
  type TableLabels,
  translateDynamoDbError,
  writeNotCarriedOut,
  writeOutcomeUnknown,
} from './dynamodb-errors.js';
import { ATTR, type ClientItem, toItem, toRecord } from './item.js';

export type DocumentClientConfig = DynamoDbDocumentsConfig;

/** One per container: its connections and resolved middleware are reused by every request. */
export function createDocumentClient(config: DocumentClientConfig = {}): DynamoDbDocuments {
  return new DynamoDbDocuments(config);
}

export class DynamoDbClientStore implements ClientStore {
  constructor(
    protected readonly documents: DynamoDbDocuments,
    protected readonly tableName: string,
    /** Milliseconds since the epoch: a client past its idle expiry is gone from this clock's view. */
    protected readonly now: () => number = Date.now,
  ) {}

  async create(record: ClientRecord): Promise<void> {
    await this.write(
      record.clientId,
      undefined,
      () =>
        this.documents.put({
          TableName: this.tableName,
          Item: toItem(record) as unknown as Record<string, unknown>,
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': ATTR.clientId },
        }),
      // the client id is new and random: an item under it with our hashes is ours
      (stored) =>
        stored !== undefined &&
        stored.issuedAt === record.issuedAt &&
        stored.registrationTokenHash === record.registrationTokenHash &&
        stored.secretHash === record.secretHash,
    );
  }

  async find(clientId: string): Promise<ClientRecord | undefined> {
    const output = await call(() =>
      this.documents.get({ TableName: this.tableName, Key: { [ATTR.clientId]: clientId }, ConsistentRead: true }),
    );
    if (!output.Item || !isClientItem(output.Item)) return undefined;
    const record = toRecord(output.Item as unknown as ClientItem);
    // DynamoDB's TTL sweep may come up to days late: an expired client is gone from the moment it expires
    return isIdleExpired(record, this.nowSeconds()) ? undefined : record;
  }

  async recordUse(clientId: string, refresh: IdleRefresh): Promise<boolean> {
    try {
      await guarded(() =>
        this.documents.update({
          TableName: this.tableName,
          Key: { [ATTR.clientId]: clientId },
          UpdateExpression: 'SET #idle = :expiresAt',
          ConditionExpression:
            'attribute_exists(#id) AND attribute_not_exists(#disabled) AND ' +
            '(attribute_not_exists(#idle) OR (#idle < :refreshBefore AND #idle > :now))',
          ExpressionAttributeNames: { '#id': ATTR.clientId, '#idle': ATTR.idleExpiresAt, '#disabled': ATTR.disabled },
          ExpressionAttributeValues: {
            ':expiresAt': refresh.expiresAt,
            ':refreshBefore': refresh.refreshBefore,
            ':now': this.nowSeconds(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof GuardFailedError) return false;
      throw error;
    }
  }

  async update(clientId: string, change: ClientChange, guard: WriteGuard): Promise<ClientWrite> {
    const write = new ItemWrite();
    write.add(ATTR.version, 1);
    write.set(ATTR.updatedAt, change.updatedAt);
    if (change.metadata !== undefined) write.set(ATTR.metadata, change.metadata);
    if (change.registrationTokenHash !== undefined) write.set(ATTR.registrationTokenHash, change.registrationTokenHash);
    if (change.idleExpiresAt !== undefined) write.set(ATTR.idleExpiresAt, change.idleExpiresAt);
    if (change.requestId !== undefined) write.set(ATTR.lastRequestId, change.requestId);
    if (change.disabled === true) write.set(ATTR.disabled, true);
    if (change.disabled === false) write.remove(ATTR.disabled);
    const previous = change.previousToken;
    if (previous?.kind === 'set') {
      write.set(ATTR.previousRegistrationTokenHash, previous.hash);
      write.set(ATTR.previousRegistrationTokenValidUntil, previous.validUntil);
    }
    if (previous?.kind === 'set' || previous?.kind === 'pending') write.set(ATTR.pendingCredentials, previous.pendingCredentials);
    if (previous?.kind === 'remove') {
      write.remove(ATTR.previousRegistrationTokenHash, ATTR.previousRegistrationTokenValidUntil, ATTR.pendingCredentials);
    }
    const secret = change.secret;
    const previousSecret = [ATTR.previousSecretHash, ATTR.previousSecretValidUntil, ATTR.previousSecretExpiresAt];
    if (secret.kind === 'keep' && secret.dropSealed) write.remove(ATTR.secretSealed);
    if (secret.kind === 'remove') write.remove(ATTR.secretHash, ATTR.secretSealed, ATTR.secretExpiresAt, ...previousSecret);
    if (secret.kind === 'replace') {
      if (secret.retainUntil !== undefined) {
        // operands read the item as it was before this write: the replaced secret becomes the previous one
        write.copy(ATTR.previousSecretHash, ATTR.secretHash);
        write.copy(ATTR.previousSecretExpiresAt, ATTR.secretExpiresAt);
        write.set(ATTR.previousSecretValidUntil, secret.retainUntil);
      } else {
        write.remove(...previousSecret);
      }
      write.set(ATTR.secretHash, secret.hash);
      write.set(ATTR.secretExpiresAt, secret.expiresAt ?? 0);
      if (secret.sealed !== undefined) write.set(ATTR.secretSealed, secret.sealed);
      else write.remove(ATTR.secretSealed);
    }
    const expression = new ExpressionBuilder();
    const written = await this.write(
      clientId,
      guard,
      () =>
        this.documents.update({
          TableName: this.tableName,
          Key: { [ATTR.clientId]: clientId },
          UpdateExpression: write.expression(expression),
          ConditionExpression: this.guardCondition(expression, guard),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          // the item as it was (ALL_OLD costs nothing extra): the caller learns what changed, and the
          // item as written is the same actions applied to it
          ReturnValues: 'ALL_OLD',
        }),
      (stored) => stored !== undefined && reflects(stored, change, guard),
    );
    if (!('output' in written)) return { record: written.stored! };
    const before = written.output.Attributes as Record<string, unknown>;
    return {
      previous: toRecord(before as unknown as ClientItem),
      record: toRecord(write.applyTo(before) as unknown as ClientItem),
    };
  }

  async delete(clientId: string, guard: WriteGuard): Promise<ClientRecord | undefined> {
    const expression = new ExpressionBuilder();
    // ALL_OLD costs nothing extra and tells which cap counters the client held
    const written = await this.write(
      clientId,
      guard,
      () =>
        this.documents.delete({
          TableName: this.tableName,
          Key: { [ATTR.clientId]: clientId },
          ConditionExpression: this.guardCondition(expression, guard),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ReturnValues: 'ALL_OLD',
        }),
      (stored) => stored === undefined,
    );
    return 'output' in written ? toRecord(written.output.Attributes as unknown as ClientItem) : undefined;
  }

  /**
   * Sends one write. A failed guard becomes GuardFailedError, an outage a 503. When the outcome is
   * unknown (no answer in time, the connection lost, or an SDK retry after an attempt that may have
   * landed), the item is read back, strongly consistent, and the caller gets the truth: the write
   * landed (`landed` recognises it in the stored item), or the guard no longer holds (GuardFailedError),
   * or it was not carried out (a 503: retrying is safe). Only this case costs a second request.
   */
  private async write<T>(
    clientId: string,
    guard: WriteGuard | undefined,
    send: () => Promise<T>,
    landed: (stored: ClientRecord | undefined) => boolean,
  ): Promise<{ output: T } | { stored: ClientRecord | undefined }> {
    try {
      return { output: await send() };
    } catch (error) {
      if (!writeOutcomeUnknown(error)) {
        if (guard && isConditionFailed(error)) throw new GuardFailedError();
        throw translateDynamoDbError(error, CLIENT_TABLE);
      }
      // the read-back may run past the request's deadline, within its recovery time (lib/time-budget.ts)
      const stored = await inRecovery(() => this.find(clientId));
      if (landed(stored)) return { stored };
      if (guard && !guardHolds(stored, guard, this.nowSeconds())) throw new GuardFailedError();
      throw writeNotCarriedOut(CLIENT_TABLE, error);
    }
  }

  protected nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private guardCondition(expression: ExpressionBuilder, guard: WriteGuard): string {
    const idle = expression.name(ATTR.idleExpiresAt);
    const parts = [
      `attribute_exists(${expression.name(ATTR.clientId)})`,
      `(attribute_not_exists(${idle}) OR ${idle} > ${expression.value(this.nowSeconds())})`,
    ];
    if (guard.registrationTokenHash !== 'operator') {
      parts.push(`${expression.name(ATTR.registrationTokenHash)} = ${expression.value(guard.registrationTokenHash)}`);
      parts.push(`attribute_not_exists(${expression.name(ATTR.disabled)})`);
    }
    if (guard.secretHash !== undefined) parts.push(`${expression.name(ATTR.secretHash)} = ${expression.value(guard.secretHash)}`);
    if (guard.secret !== undefined) {
      parts.push(`${guard.secret.hasSecret ? 'attribute_exists' : 'attribute_not_exists'}(${expression.name(ATTR.secretHash)})`);
      parts.push(`${guard.secret.recoverable ? 'attribute_exists' : 'attribute_not_exists'}(${expression.name(ATTR.secretSealed)})`);
    }
    if (guard.secretUnexpired) {
      const expires = expression.name(ATTR.secretExpiresAt);
      parts.push(
        `(attribute_not_exists(${expires}) OR ${expires} = ${expression.value(0)} OR ${expires} > ${expression.value(this.nowSeconds())})`,
      );
    }
    if (guard.version !== undefined) parts.push(`${expression.name(ATTR.version)} = ${expression.value(guard.version)}`);
    return parts.join(' AND ');
  }
}

/** Client items, as opposed to the cap counters ('#quota#...') and other items the table may hold. */
export function isClientItem(item: Record<string, unknown>): boolean {
  const id = item[ATTR.clientId];
  return typeof id === 'string' && !id.startsWith('#') && item[ATTR.version] !== undefined && item[ATTR.issuedAt] !== undefined;
}

/** Whether the stored item shows this change: what a read-back after a lost answer compares. */
function reflects(stored: ClientRecord, change: ClientChange, guard: WriteGuard): boolean {
  // a token or secret issued by this write is 256 random bits: finding its hash stored settles it
  if (change.registrationTokenHash !== undefined) return stored.registrationTokenHash === change.registrationTokenHash;
  if (change.secret.kind === 'replace') return stored.secretHash === change.secret.hash;
  // nothing new was issued: the write landed if the item is as it describes
  return (
    (guard.registrationTokenHash === 'operator' || stored.registrationTokenHash === guard.registrationTokenHash) &&
    stored.updatedAt === change.updatedAt &&
    (change.secret.kind !== 'remove' || stored.secretHash === undefined) &&
    (change.disabled === undefined || (stored.disabled === true) === change.disabled) &&
    (change.metadata === undefined || changedFields(stored.metadata, change.metadata).length === 0)
  );
}

/** Whether the guard holds on the stored item: guardCondition, evaluated in memory (find() leaves out idle-expired clients). */
function guardHolds(stored: ClientRecord | undefined, guard: WriteGuard, nowSeconds: number): boolean {
  if (!stored) return false;
  if (guard.registrationTokenHash !== 'operator' && (stored.registrationTokenHash !== guard.registrationTokenHash || stored.disabled)) {
    return false;
  }
  if (guard.secretHash !== undefined && stored.secretHash !== guard.secretHash) return false;
  if (guard.secret !== undefined) {
    if (guard.secret.hasSecret !== (stored.secretHash !== undefined)) return false;
    if (guard.secret.recoverable !== (stored.secretSealed !== undefined)) return false;
  }
  if (guard.secretUnexpired && isSecretExpired(stored.secretExpiresAt, nowSeconds)) return false;
  return guard.version === undefined || stored.version === guard.version;
}

/** Sends one request; a failed condition becomes GuardFailedError, outages a 503 (see translate). */
async function guarded<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await call(send);
  } catch (error) {
    if (isConditionFailed(error)) throw new GuardFailedError();
    throw error;
  }
}

/** Sends one request; outages become a 503 and anything unknown a 500 (see translate). Shared by the adapters of this table. */
const CLIENT_TABLE: TableLabels = {
  store: 'the client datastore',
  missing: 'the client datastore table does not exist (check DCR_TABLE_NAME)',
};

/** Sends one request to the client table (the cap counters live there too). */
export function call<T>(send: () => Promise<T>): Promise<T> {
  return callDynamoDb(send, CLIENT_TABLE);
}

/** Placeholders for expression names and values, so no attribute name ever collides with a reserved word. */
export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  // a number, string or boolean used twice (the clock, 0) is sent once: a smaller request to sign and send
  private readonly placed = new Map<unknown, string>();
  private count = 0;

  name(attribute: string): string {
    let placeholder = NAME_PLACEHOLDERS.get(attribute);
    if (placeholder === undefined) {
      placeholder = `#${attribute}`;
      NAME_PLACEHOLDERS.set(attribute, placeholder);
    }
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const shared = typeof value !== 'object' && typeof value !== 'function';
    const known = shared ? this.placed.get(value) : undefined;
    if (known !== undefined) return known;
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = value;
    if (shared) this.placed.set(value, placeholder);
    return placeholder;
  }
}

// The placeholder of each attribute name, made once: the table's attribute names are a small fixed set.
const NAME_PLACEHOLDERS = new Map<string, string>();

type WriteAction =
  | { readonly attribute: string; readonly set: unknown }
  | { readonly attribute: string; readonly copyOf: string }
  | { readonly attribute: string; readonly add: number }
  | { readonly attribute: string; readonly remove: true };

/**
 * The SET and REMOVE actions of one UpdateItem, kept as data: the same list renders the UpdateExpression
 * and applies the write to the item as it was (ReturnValues ALL_OLD). One request then tells the item
 * before and after, and the two can never disagree with what DynamoDB wrote.
 */
class ItemWrite {
  private readonly actions: WriteAction[] = [];

  set(attribute: string, value: unknown): void {
    this.actions.push({ attribute, set: value });
  }

  /** Sets `attribute` to the value `from` had before this write. */
  copy(attribute: string, from: string): void {
    this.actions.push({ attribute, copyOf: from });
  }

  add(attribute: string, by: number): void {
    this.actions.push({ attribute, add: by });
  }

  remove(...attributes: string[]): void {
    for (const attribute of attributes) this.actions.push({ attribute, remove: true });
  }

  expression(expression: ExpressionBuilder): string {
    const sets: string[] = [];
    const removes: string[] = [];
    for (const action of this.actions) {
      const name = expression.name(action.attribute);
      if ('remove' in action) removes.push(name);
      else if ('copyOf' in action) sets.push(`${name} = ${expression.name(action.copyOf)}`);
      else if ('add' in action) sets.push(`${name} = ${name} + ${expression.value(action.add)}`);
      else sets.push(`${name} = ${expression.value(action.set)}`);
    }
    return `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
  }

  /** The item as written: every operand reads the item as it was, as in DynamoDB. */
  applyTo(before: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const after: Record<string, unknown> = { ...before };
    for (const action of this.actions) {
      if ('remove' in action) delete after[action.attribute];
      else if ('copyOf' in action) after[action.attribute] = before[action.copyOf];
      else if ('add' in action) after[action.attribute] = (before[action.attribute] as number) + action.add;
      else after[action.attribute] = action.set;
    }
    return after;
  }
}
