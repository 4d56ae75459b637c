import { invalidRequest } from '../errors.js';
import type { HttpRequest } from './types.js';

/** RFC 7591 §3.1: the body is a JSON object sent as application/json. */
export function readJsonObject(request: HttpRequest): Record<string, unknown> {
  const contentType = request.headers['content-type'];
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw invalidRequest(`the request must have Content-Type: application/json${contentType ? `, not ${truncate(contentType)}` : ''}`);
  }
  if (request.body === null || request.body.trim() === '') throw invalidRequest('the request body must be a JSON object, and it is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw invalidRequest('the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('the request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}...` : value;
}
