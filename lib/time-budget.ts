// How long a request, and each call it makes to another service, may take: the numbers live here and
// nowhere else (docs/robustness.md states them). The function times out at 10 s and API Gateway at
// 29 s; a request that waits on a stalled dependency must answer 503 with Retry-After well before
// either, so every outbound call is aborted at its deadline (an AbortSignal the client honours, and a
// race that settles the call even if it did not), and no call outlives the request's deadline.

export const TIME_BUDGET = {
  /** The whole request: a call starting late gets only what is left of it. */
  requestMs: 6_000,
  /** One call to DynamoDB, SSM or KMS, every SDK attempt and back-off included. */
  awsCallMs: 2_500,
  /** One attempt of such a call (connection included): a stalled attempt is cut and retried. */
  awsAttemptMs: 1_000,
  /** Attempts of one AWS call (the first and two retries), all within awsCallMs. */
  awsMaxAttempts: 3,
  /** One call outside AWS: the issuer's JWKS, token introspection, a client's sector_identifier_uri. */
  remoteCallMs: 3_000,
  /**
   * After the request's deadline, the steps that establish or restore the truth (reading back a write
   * whose answer was lost, giving back a cap place or a token use) may run this much longer. The latest
   * answer therefore leaves at requestMs + recoveryMs = 7.5 s.
   */
  recoveryMs: 1_500,
} as const;

/** AWS SDK client settings that apply the budget to every attempt (DynamoDB, SSM, KMS clients). */
export const AWS_CLIENT_TIMEOUTS = {
  maxAttempts: TIME_BUDGET.awsMaxAttempts,
  requestHandler: {
    connectionTimeout: TIME_BUDGET.awsAttemptMs,
    requestTimeout: TIME_BUDGET.awsAttemptMs,
    // without it the SDK only logs a warning when an attempt overruns, and keeps waiting
    throwOnRequestTimeout: true,
  },
} as const;

/** A call cut off at its deadline. Named like the SDK's own timeouts, so every translation treats both alike. */
export class CallTimeoutError extends Error {
  constructor(readonly limitMs: number) {
    super(`no answer within ${limitMs} ms`);
    this.name = 'TimeoutError';
  }
}

interface RequestTime {
  readonly deadline: number;
  readonly recovering: boolean;
}

// The request in progress. A Lambda container serves one request at a time, so a module variable is
// exact there and costs nothing; AsyncLocalStorage would turn on promise hooks, which slowed every await
// of a request by about a third (npm run bench). A process serving requests concurrently (the local
// server) keeps the deadline of the request that started last: each call still has its own limit.
let requestTime: RequestTime | undefined;

/** Runs one request: every call made inside it (boundedCall, callTimeMs) ends by the request's deadline. */
export async function withinRequestBudget<T>(act: () => Promise<T>, budgetMs: number = TIME_BUDGET.requestMs): Promise<T> {
  const own: RequestTime = { deadline: Date.now() + budgetMs, recovering: false };
  requestTime = own;
  try {
    return await act();
  } finally {
    if (requestTime === own) requestTime = undefined;
  }
}

/** Runs steps that establish or restore the truth after a failure: they may use recoveryMs past the request's deadline. */
export async function inRecovery<T>(act: () => Promise<T>): Promise<T> {
  const current = requestTime;
  if (!current || current.recovering) return act();
  const recovery: RequestTime = { deadline: current.deadline + TIME_BUDGET.recoveryMs, recovering: true };
  requestTime = recovery;
  try {
    return await act();
  } finally {
    if (requestTime === recovery) requestTime = current;
  }
}

/** The time a call may take now: its own limit, or what is left of the request when that is less (0: none). */
export function callTimeMs(limitMs: number): number {
  const current = requestTime;
  if (!current) return limitMs;
  return Math.max(0, Math.min(limitMs, current.deadline - Date.now()));
}

/**
 * What a call is handed to stop at its deadline: `aborted`, and `onabort`, called once when the deadline
 * passes. It is the abort-signal shape the AWS SDK's HTTP handlers accept (a plain object: creating an
 * AbortSignal and adding listeners to it costs several microseconds per call), so a DynamoDB request
 * is cut at its deadline for the price of one small object.
 */
export interface CallDeadline {
  readonly aborted: boolean;
  onabort: (() => void) | null;
  /** Why it aborted: the CallTimeoutError the caller got. */
  readonly reason?: CallTimeoutError;
}

/**
 * Makes one outbound call with a deadline (see callTimeMs): `call` gets a deadline that aborts then, and
 * the returned promise rejects with CallTimeoutError at that moment whether or not the callee honours it
 * (`onTimeout` runs then). With no time left the call is not made at all.
 */
export function deadlineCall<T>(limitMs: number, call: (deadline: CallDeadline) => Promise<T>, onTimeout?: () => void): Promise<T> {
  const allowed = callTimeMs(limitMs);
  if (allowed <= 0) {
    onTimeout?.();
    return Promise.reject(new CallTimeoutError(0));
  }
  return new Promise<T>((resolve, reject) => {
    const watch = new Watch(performance.now() + allowed, allowed, reject, onTimeout);
    watching.add(watch);
    if (watch.at < timerAt) armTimer(watch.at);
    let result: Promise<T>;
    try {
      // a callee may answer with a plain value or another thenable (a mock); a native promise passes as it is
      result = Promise.resolve(call(watch));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => {
        watching.delete(watch);
        resolve(value);
      },
      (error: unknown) => {
        watching.delete(watch);
        reject(error);
      },
    );
  });
}

/** deadlineCall for callees that take a standard AbortSignal (fetch, the AWS SDK's send options). */
export function boundedCall<T>(limitMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return deadlineCall(limitMs, (deadline) => {
    const controller = new AbortController();
    deadline.onabort = () => controller.abort(deadline.reason);
    return call(controller.signal);
  });
}

class Watch implements CallDeadline {
  aborted = false;
  onabort: (() => void) | null = null;
  reason?: CallTimeoutError;

  constructor(
    /** performance.now() of the deadline */
    readonly at: number,
    private readonly limitMs: number,
    private readonly reject: (error: CallTimeoutError) => void,
    private readonly onTimeout?: () => void,
  ) {}

  expire(): void {
    this.reason = new CallTimeoutError(this.limitMs);
    this.onTimeout?.();
    // rejected before the callee hears of it, so this rejection wins over the callee's own abort error
    this.reject(this.reason);
    this.aborted = true;
    this.onabort?.();
  }
}

// The calls in flight, and ONE timer for all of them, set for the earliest deadline: a timer (let alone
// AbortSignal.timeout, whose weak references also cost the garbage collector) per call added about a
// tenth to the CPU of a whole request (npm run bench). A call that ends leaves the timer as it is; when it
// fires it finds nothing due and is set again for the earliest deadline still pending, if any.
const watching = new Set<Watch>();
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Number.POSITIVE_INFINITY;

function armTimer(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(expireDue, Math.max(1, Math.ceil(at - performance.now())));
  // a deadline alone never keeps the process alive (the call in flight does)
  timer.unref();
}

function expireDue(): void {
  timer = undefined;
  timerAt = Number.POSITIVE_INFINITY;
  const now = performance.now();
  const due: Watch[] = [];
  let next = Number.POSITIVE_INFINITY;
  for (const watch of watching) {
    if (watch.at <= now) due.push(watch);
    else if (watch.at < next) next = watch.at;
  }
  // set again first: the calls still pending keep their deadline whatever an abort handler does
  if (next !== Number.POSITIVE_INFINITY) armTimer(next);
  for (const watch of due) {
    watching.delete(watch);
    watch.expire();
  }
}
