import { invalidToken } from '../errors.js';
import type { HttpRequest } from './types.js';

// RFC 6750 §2.1: b64token syntax.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The bearer token of the Authorization header; undefined when no Authorization header was sent. */
export function bearerToken(request: HttpRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') return undefined;
  const match = BEARER.exec(header);
  if (!match?.[1]) throw invalidToken('the Authorization header must be "Bearer <token>"');
  return match[1];
}
