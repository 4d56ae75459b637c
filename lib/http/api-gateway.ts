import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { payloadTooLarge } from '../errors.js';
import type { HttpRequest, HttpResponse } from './types.js';

/** REFERENCE.md: request bodies are limited to 64 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * API Gateway REST (v1) proxy event -> HttpRequest. `publicBaseUrl` wins when configured (custom
 * domains); otherwise the URL is rebuilt from the host, with the stage when the host is the
 * execute-api one (custom domains map the stage away).
 */
export function toHttpRequest(event: APIGatewayProxyEvent, publicBaseUrl?: string): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body = decodeBody(event);
  return {
    method: event.httpMethod,
    headers,
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    body,
    baseUrl: publicBaseUrl ?? baseUrlOf(event, headers),
    requestId: event.requestContext?.requestId ?? '',
  };
}

function decodeBody(event: APIGatewayProxyEvent): string | null {
  if (event.body === null || event.body === undefined) return null;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : null;
  const size = bytes ? bytes.length : Buffer.byteLength(event.body, 'utf8');
  if (size > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  return bytes ? bytes.toString('utf8') : event.body;
}

function baseUrlOf(event: APIGatewayProxyEvent, headers: Record<string, string>): string {
  const host = event.requestContext?.domainName ?? headers.host ?? 'localhost';
  const proto = forwardedProto(headers['x-forwarded-proto']);
  const stage = event.requestContext?.stage;
  const withStage = stage && /\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host);
  return `${proto}://${host}${withStage ? `/${stage}` : ''}`;
}

// A chain of proxies sends a list ("https, http"): the first is the client's. Anything but http or
// https is not a scheme we serve, and must not end up in registration_client_uri.
function forwardedProto(header: string | undefined): 'http' | 'https' {
  const first = header?.split(',', 1)[0]?.trim().toLowerCase();
  return first === 'http' ? 'http' : 'https';
}

export function toProxyResult(response: HttpResponse): APIGatewayProxyResult {
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
}
