import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
  type ReturnValue,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { countMetric } from '../metrics.js';
import { AWS_CLIENT_TIMEOUTS, type CallDeadline, deadlineCall, TIME_BUDGET } from '../time-budget.js';
import { fromAttributeMap, toAttributeMap } from './attribute-values.js';
import { troubleOf } from './dynamodb-errors.js';

// Plain JavaScript values in and out of DynamoDB, like lib-dynamodb's DocumentClient, on a client
// whose middleware stack is resolved once per command type (`cacheMiddleware`). lib-dynamodb's
// commands cannot use that cache: their handler is bound to the first command instance, so every
// later request would send the first one's input. Resolving the stack per request cost about
// 0.2 ms of CPU per DynamoDB call (bench/register.ts), a sixth of a registration.

type Values = Record<string, unknown>;

interface Expressions {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Values;
}

export interface GetInput {
  readonly TableName: string;
  readonly Key: Values;
  readonly ConsistentRead?: boolean;
}

export interface PutInput extends Expressions {
  readonly TableName: string;
  readonly Item: Values;
}

export interface UpdateInput extends Expressions {
  readonly TableName: string;
  readonly Key: Values;
  readonly UpdateExpression: string;
  readonly ReturnValues?: ReturnValue;
}

export interface DeleteInput extends Expressions {
  readonly TableName: string;
  readonly Key: Values;
  readonly ReturnValues?: ReturnValue;
}

export interface ScanInput {
  readonly TableName: string;
  readonly ProjectionExpression?: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Values;
  readonly ExclusiveStartKey?: Values;
  readonly Limit?: number;
  readonly ConsistentRead?: boolean;
}

export type DynamoDbDocumentsConfig = DynamoDBClientConfig;

export class DynamoDbDocuments {
  readonly client: DynamoDBClient;

  constructor(config: DynamoDbDocumentsConfig = {}) {
    // Every attempt and every call has a deadline (lib/time-budget.ts): a stalled socket becomes a 503
    // the caller can retry, well before the function's timeout. The endpoint comes from
    // AWS_ENDPOINT_URL_DYNAMODB when set.
    this.client = new DynamoDBClient({ ...AWS_CLIENT_TIMEOUTS, cacheMiddleware: true, ...config });
    abortWithCallSignal(this.client);
    countTrouble(this.client);
  }

  private send<T>(command: { readonly input: unknown }): Promise<T> {
    return deadlineCall(
      TIME_BUDGET.awsCallMs,
      (deadline) => {
        CALL_DEADLINES.set(command.input as object, deadline);
        return this.client.send(command as never) as Promise<T>;
      },
      countCallTimeout,
    );
  }

  async get(input: GetInput): Promise<{ Item?: Values }> {
    const command = new GetItemCommand({ ...input, Key: toAttributeMap(input.Key) });
    const output = await this.send<{ Item?: Record<string, AttributeValue> }>(command);
    return { Item: output.Item && fromAttributeMap(output.Item) };
  }

  async put(input: PutInput): Promise<void> {
    const command = new PutItemCommand({
      ...input,
      Item: toAttributeMap(input.Item),
      ExpressionAttributeValues: values(input.ExpressionAttributeValues),
    });
    await this.send(command);
  }

  async update(input: UpdateInput): Promise<{ Attributes?: Values }> {
    const command = new UpdateItemCommand({
      ...input,
      Key: toAttributeMap(input.Key),
      ExpressionAttributeValues: values(input.ExpressionAttributeValues),
    });
    const output = await this.send<{ Attributes?: Record<string, AttributeValue> }>(command);
    return { Attributes: output.Attributes && fromAttributeMap(output.Attributes) };
  }

  async delete(input: DeleteInput): Promise<{ Attributes?: Values }> {
    const command = new DeleteItemCommand({
      ...input,
      Key: toAttributeMap(input.Key),
      ExpressionAttributeValues: values(input.ExpressionAttributeValues),
    });
    const output = await this.send<{ Attributes?: Record<string, AttributeValue> }>(command);
    return { Attributes: output.Attributes && fromAttributeMap(output.Attributes) };
  }

  /** Admin tools only: no request path scans. */
  async scan(input: ScanInput): Promise<{ Items: Values[]; LastEvaluatedKey?: Values }> {
    const command = new ScanCommand({
      ...input,
      ExclusiveStartKey: input.ExclusiveStartKey && toAttributeMap(input.ExclusiveStartKey),
      ExpressionAttributeValues: values(input.ExpressionAttributeValues),
    });
    const output = await this.send<{ Items?: Record<string, AttributeValue>[]; LastEvaluatedKey?: Record<string, AttributeValue> }>(
      command,
    );
    return {
      Items: (output.Items ?? []).map((item) => fromAttributeMap(item)),
      LastEvaluatedKey: output.LastEvaluatedKey && fromAttributeMap(output.LastEvaluatedKey),
    };
  }

  destroy(): void {
    this.client.destroy();
  }
}

function values(expressionValues: Values | undefined) {
  return expressionValues && toAttributeMap(expressionValues);
}

interface HttpHandlerLike {
  handle(request: unknown, options?: { abortSignal?: unknown }): Promise<unknown>;
}

// The deadline of each call's deadlineCall, by the command's input, and of each attempt's HTTP request.
// The SDK's HTTP handler takes it as its abort signal (it accepts any object with `aborted` and
// `onabort`), and destroys the request when it fires. Passing a signal to send() would do the same, but
// the SDK then resolves the middleware stack for every request again (cacheMiddleware applies only to
// send() without options); carrying it in AsyncLocalStorage turns on promise hooks, which slowed every
// await of a request by a third.
const CALL_DEADLINES = new WeakMap<object, CallDeadline>();
const REQUEST_DEADLINES = new WeakMap<object, CallDeadline>();

/** Hands every HTTP request of the client the deadline of the call it belongs to, so a cut call closes its socket. */
function abortWithCallSignal(client: DynamoDBClient): void {
  // innermost step before the transport: args.request is the very object the handler gets (signed, per attempt)
  client.middlewareStack.add(
    (next) => (args) => {
      const deadline = CALL_DEADLINES.get(args.input as object);
      if (deadline) REQUEST_DEADLINES.set(args.request as object, deadline);
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'attachCallSignal' },
  );
  const handler = client.config.requestHandler as unknown as HttpHandlerLike;
  const handle = handler.handle.bind(handler);
  handler.handle = (request, options = {}) => {
    const deadline = REQUEST_DEADLINES.get(request as object);
    return handle(request, deadline ? { ...options, abortSignal: deadline } : options);
  };
}

/**
 * Counts throttled and timed-out attempts for the DatastoreThrottles and DatastoreTimeouts metrics. It
 * sits inside the SDK's retries (finalizeRequest, after its high-priority retry step), so an attempt
 * the SDK retries successfully is counted too, not only a call that fails for good.
 */
function countTrouble(client: DynamoDBClient): void {
  // a rejection handler, not an async function: an attempt that succeeds costs no extra await
  client.middlewareStack.add((next) => (args) => next(args).then(undefined, countAttemptTrouble), {
    step: 'finalizeRequest',
    priority: 'low',
    name: 'countDatastoreTrouble',
  });
}

function countAttemptTrouble(error: unknown): never {
  const trouble = troubleOf(error);
  if (trouble) countMetric(trouble);
  throw error;
}

/** The whole call cut at its deadline (each attempt's own timeout is counted by countTrouble). */
function countCallTimeout(): void {
  countMetric('DatastoreTimeouts');
}
