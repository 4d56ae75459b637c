import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { RegistrationError } from '../errors.js';
import { audit, log } from '../log.js';
import { countMetric, writeRequestMetrics } from '../metrics.js';
import { withinRequestBudget } from '../time-budget.js';
import { requestIdOf, sourceIpOf, toHttpRequest, toProxyResult } from './api-gateway.js';
import { errorResponse } from './responses.js';
import type { ClientAudit, HttpRequest, UseCaseAnswer } from './types.js';

export type UseCase = (request: HttpRequest) => Promise<UseCaseAnswer>;

// The first invocation of this container is its cold start.
let coldStart = true;

/**
 * Wraps a use case as a Lambda proxy handler: event in, answer out, and for every call one request log
 * line (with the Lambda context and API Gateway's request id), one EMF metrics line, and an audit line
 * when a client changed. Every error is rendered by errorResponse (a refusal's code and description, or a
 * 5xx's cause, go on the request line). `resolve` runs per call, so the runtime is built on first use.
 */
export function apiHandler(route: string, resolve: () => { useCase: UseCase; publicBaseUrl?: string; stage?: string }) {
  // The event is typed as API Gateway's, but toHttpRequest checks its shape: any value gets an answer
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    const cold = coldStart;
    coldStart = false;
    let response: UseCaseAnswer;
    let failure: Record<string, unknown> | undefined;
    let stage: string | undefined;
    try {
      const resolved = resolve();
      stage = resolved.stage;
      // every outbound call of the request ends by its deadline (lib/time-budget.ts)
      response = await withinRequestBudget(() => resolved.useCase(toHttpRequest(event, resolved.publicBaseUrl)));
    } catch (error) {
      response = errorResponse(error);
      failure = describeFailure(error);
    }
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const ids = {
      requestId: requestIdOf(event),
      lambdaRequestId: context?.awsRequestId,
      traceId: traceIdOf(process.env._X_AMZN_TRACE_ID),
    };
    if (response.audit) auditChange(response.audit, event, ids);
    log(response.status >= 500 ? 'error' : 'info', 'request', {
      route,
      status: response.status,
      ...ids,
      functionName: context?.functionName,
      coldStart: cold,
      durationMs: latencyMs,
      ...failure,
    });
    writeRequestMetrics({
      stage: stage ?? 'local',
      route,
      status: response.status,
      error: failure?.error as string | undefined,
      latencyMs,
    });
    return toProxyResult(response);
  };
}

/** The audit line of a client change, and the counters it feeds. */
function auditChange(change: ClientAudit, event: unknown, ids: Record<string, string | undefined>): void {
  if (change.operation === 'register') countMetric('ClientsRegistered');
  if (change.operation === 'delete') countMetric('ClientsDeleted');
  if (change.changed?.some((field) => field.endsWith(' rotated'))) countMetric('CredentialsRotated');
  audit('client changed', {
    operation: change.operation,
    clientId: change.clientId,
    who: change.who,
    sourceIp: sourceIpOf(event),
    changed: change.changed ?? 'unknown',
    ...ids,
  });
}

/** The Root of the X-Ray trace header Lambda sets per invocation ("Root=1-…;Parent=…;Sampled=1"). */
export function traceIdOf(header: string | undefined): string | undefined {
  const start = header?.indexOf('Root=') ?? -1;
  if (start < 0) return undefined;
  const end = header!.indexOf(';', start);
  return header!.slice(start + 5, end < 0 ? undefined : end);
}

/** What the log line says of a failure: the code and description for refusals, the cause for 5xx. */
function describeFailure(error: unknown): Record<string, unknown> {
  if (error instanceof RegistrationError) {
    return { error: error.error, description: error.description, ...(error.status >= 500 && { cause: describe(error.cause) }) };
  }
  return { error: 'server_error', cause: describe(error) };
}

// Error names and messages from our code and the AWS SDK carry no secrets; bodies never reach here.
function describe(error: unknown): Record<string, unknown> | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
