import type { APIGatewayProxyResult } from 'aws-lambda';
import { invalidRequest, payloadTooLarge } from '../errors.js';
import type { HttpRequest, HttpResponse } from './types.js';

/** docs/reference.md: request bodies are limited to 64 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * API Gateway REST (v1) proxy event -> HttpRequest. `publicBaseUrl` wins when configured (custom
 * domains); otherwise the URL is rebuilt from the host, with the stage when the host is the
 * execute-api one (custom domains map the stage away).
 *
 * The event is checked, not trusted: API Gateway sends strings, but a direct invocation (a test, a
 * misrouted trigger) can send anything. A shape that is not a proxy event is a 400 invalid_request,
 * never an exception; parts the service does not need (requestContext) may be missing.
 */
export function toHttpRequest(event: unknown, publicBaseUrl?: string): HttpRequest {
  if (!isRecord(event)) throw notAProxyEvent('it is not an object');
  if (typeof event.httpMethod !== 'string') throw notAProxyEvent('httpMethod must be a string');
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(stringMap(event.headers, 'headers'))) headers[name.toLowerCase()] = value;
  const body = decodeBody(event.body, event.isBase64Encoded === true);
  const context = isRecord(event.requestContext) ? event.requestContext : {};
  return {
    method: event.httpMethod,
    headers,
    pathParameters: stringMap(event.pathParameters, 'pathParameters'),
    body,
    baseUrl: publicBaseUrl ?? baseUrlOf(context, headers),
    requestId: stringOr(context.requestId, ''),
  };
}

/** The request id of an event of any shape, for the log line. */
export function requestIdOf(event: unknown): string | undefined {
  const context = isRecord(event) && isRecord(event.requestContext) ? event.requestContext : undefined;
  return typeof context?.requestId === 'string' ? context.requestId : undefined;
}

/** The caller's address as API Gateway saw it (requestContext.identity.sourceIp), for the audit line. */
export function sourceIpOf(event: unknown): string | undefined {
  const context = isRecord(event) && isRecord(event.requestContext) ? event.requestContext : undefined;
  const identity = context && isRecord(context.identity) ? context.identity : undefined;
  return typeof identity?.sourceIp === 'string' ? identity.sourceIp : undefined;
}

type EventRecord = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is EventRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function notAProxyEvent(problem: string) {
  return invalidRequest(`the event is not an API Gateway proxy event: ${problem}`);
}

/** headers and pathParameters: null or absent is empty; a present member must be a string (null or undefined ones are left out). */
function stringMap(value: unknown, part: string): Record<string, string> {
  const map: Record<string, string> = Object.create(null);
  if (value === null || value === undefined) return map;
  if (!isRecord(value)) throw notAProxyEvent(`${part} must be an object of strings`);
  for (const [name, member] of Object.entries(value)) {
    if (member === null || member === undefined) continue;
    if (typeof member !== 'string') throw notAProxyEvent(`${part} must be an object of strings (${name.slice(0, 40)} is not a string)`);
    map[name] = member;
  }
  return map;
}

function decodeBody(body: unknown, base64: boolean): string | null {
  if (body === null || body === undefined) return null;
  if (typeof body !== 'string') throw notAProxyEvent('body must be a string or null');
  const bytes = base64 ? Buffer.from(body, 'base64') : null;
  const size = bytes ? bytes.length : Buffer.byteLength(body, 'utf8');
  if (size > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  return bytes ? bytes.toString('utf8') : body;
}

function baseUrlOf(context: EventRecord, headers: Record<string, string>): string {
  const host = typeof context.domainName === 'string' ? context.domainName : (headers.host ?? 'localhost');
  const proto = forwardedProto(headers['x-forwarded-proto']);
  const stage = typeof context.stage === 'string' ? context.stage : undefined;
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
