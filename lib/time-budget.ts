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
 * Makes one outbound call with a deadline (see callTimeMs): `call` gets a signal that aborts then, and
 * the returned promise rejects with CallTimeoutError at that moment whether or not the callee honours it.
 * With no time left the call is not made at all.
 */
export function boundedCall<T>(limitMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const allowed = callTimeMs(limitMs);
  if (allowed <= 0) return Promise.reject(new CallTimeoutError(0));
  const signal = AbortSignal.timeout(allowed);
  return new Promise<T>((resolve, reject) => {
    // registered before the call starts, so this rejection wins over the callee's own abort error
    const onAbort = () => reject(new CallTimeoutError(allowed));
    signal.addEventListener('abort', onAbort, { once: true });
    new Promise<T>((settle) => settle(call(signal))).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
