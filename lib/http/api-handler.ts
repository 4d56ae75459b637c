import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { RegistrationError } from '../errors.js';
import { log } from '../log.js';
import { withinRequestBudget } from '../time-budget.js';
import { requestIdOf, toHttpRequest, toProxyResult } from './api-gateway.js';
import { errorResponse } from './responses.js';
import type { HttpRequest, HttpResponse } from './types.js';

export type UseCase = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * Wraps a use case as a Lambda proxy handler: event in, answer out, one log line, and every error
 * rendered by errorResponse (a refusal's code and description, or a 5xx's cause, go on the same line). `resolve` runs per call, so the runtime is built on first use and then reused.
 */
export function apiHandler(route: string, resolve: () => { useCase: UseCase; publicBaseUrl?: string }) {
  // The event is typed as API Gateway's, but toHttpRequest checks its shape: any value gets an answer
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    let response: HttpResponse;
    let failure: Record<string, unknown> | undefined;
    try {
      const { useCase, publicBaseUrl } = resolve();
      // every outbound call of the request ends by its deadline (lib/time-budget.ts)
      response = await withinRequestBudget(() => useCase(toHttpRequest(event, publicBaseUrl)));
    } catch (error) {
      response = errorResponse(error);
      failure = describeFailure(error);
    }
    log(response.status >= 500 ? 'error' : 'info', 'request', {
      route,
      status: response.status,
      requestId: requestIdOf(event),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...failure,
    });
    return toProxyResult(response);
  };
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
