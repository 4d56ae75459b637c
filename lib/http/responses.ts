import { RegistrationError, serverError } from '../errors.js';
import type { HttpResponse } from './types.js';

// RFC 7591 §3.2.1 / RFC 6749 §5.1: client information holds secrets, so nothing may cache it.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;
const JSON_TYPE = 'application/json';

export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...NO_STORE, ...headers }, body: JSON.stringify(body) };
}

export function noContent(status = 204, headers: Readonly<Record<string, string>> = {}): HttpResponse {
  return { status, headers: { ...NO_STORE, ...headers }, body: '' };
}

/** The one place an error becomes an answer; anything not a RegistrationError is a 500 with no internals. */
export function errorResponse(error: unknown): HttpResponse {
  const known = error instanceof RegistrationError ? error : serverError();
  if (known.emptyBody) return noContent(known.status, known.headers);
  return json(known.status, { error: known.error, error_description: known.description }, known.headers);
}
