import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { RegistrationError } from '../errors.js';
import { toHttpRequest, toProxyResult } from './api-gateway.js';
import { log } from './log.js';
import { errorResponse } from './responses.js';
import type { HttpRequest, HttpResponse } from './types.js';

export type UseCase = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * Wraps a use case as a Lambda proxy handler: event in, answer out, one log line, and every error
 * rendered by errorResponse. `resolve` runs per call, so the runtime is built on first use and then reused.
 */
export function apiHandler(route: string, resolve: () => { useCase: UseCase; publicBaseUrl?: string }) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    let response: HttpResponse;
    try {
      const { useCase, publicBaseUrl } = resolve();
      response = await useCase(toHttpRequest(event, publicBaseUrl));
    } catch (error) {
      response = errorResponse(error);
      logFailure(route, error);
    }
    log('info', 'request', {
      route,
      status: response.status,
      requestId: event.requestContext?.requestId,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
    return toProxyResult(response);
  };
}

function logFailure(route: string, error: unknown): void {
  if (error instanceof RegistrationError) {
    if (error.status >= 500) log('error', 'request failed', { route, error: error.error, description: error.description, cause: describe(error.cause) });
    else log('info', 'request refused', { route, error: error.error, description: error.description });
    return;
  }
  log('error', 'unexpected error', { route, ...describe(error) });
}

// Error names and messages from our code and the AWS SDK carry no secrets; bodies never reach here.
function describe(error: unknown): Record<string, unknown> | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
