import { invalidRequest } from '../errors.js';
import type { HttpRequest } from './types.js';

// Bounds on the shape of a request body, checked before anything reads it: metadata is at most a
// few levels deep (a JWK Set is three), and no field holds more than 100 values. A body within the
// 64 KiB limit could otherwise nest thousands of levels (recursive code then overflows its stack)
// or hold tens of thousands of values for validation to walk.
export const MAX_BODY_DEPTH = 32;
export const MAX_BODY_MEMBERS = 1_000;
export const MAX_BODY_VALUES = 1_000;

/** A JSON object whose members are data: it has no prototype, so no member name can mean a property of Object.prototype. */
export type JsonObject = Record<string, unknown>;

/**
 * RFC 7591 §3.1: the body is a JSON object sent as application/json. It comes back with every
 * object (nested ones too) built without a prototype: `__proto__`, `constructor` or `toString` are
 * member names like any other, and a lookup by a member name finds only members.
 */
export function readJsonObject(request: HttpRequest): JsonObject {
  const contentType = request.headers['content-type'];
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw invalidRequest(`the request must have Content-Type: application/json${contentType ? `, not ${truncate(contentType)}` : ''}`);
  }
  if (request.body === null || request.body.trim() === '') throw invalidRequest('the request body must be a JSON object, and it is empty');
  if (nestingDepth(request.body) > MAX_BODY_DEPTH) {
    throw invalidRequest(`the request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw invalidRequest('the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('the request body must be a JSON object');
  }
  return asData(parsed) as JsonObject;
}

/**
 * How deep arrays and objects nest in a JSON text, counted without parsing it (brackets inside
 * strings do not count); stops counting once past the limit. Malformed text is left to JSON.parse.
 */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index++; // backslash: the next character is escaped
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > MAX_BODY_DEPTH) return deepest;
      }
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return deepest;
}

/** A copy with prototype-free objects, refusing arrays and objects over the size bounds (depth is bounded already). */
function asData(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length > MAX_BODY_VALUES) throw invalidRequest(`the request body holds an array of more than ${MAX_BODY_VALUES} values`);
    return value.map(asData);
  }
  if (typeof value !== 'object' || value === null) return value;
  const names = Object.keys(value);
  if (names.length > MAX_BODY_MEMBERS) throw invalidRequest(`the request body holds an object of more than ${MAX_BODY_MEMBERS} members`);
  const copy: JsonObject = Object.create(null);
  // a prototype-free object has no __proto__ setter: every name, that one included, becomes an own member
  for (const name of names) copy[name] = asData((value as JsonObject)[name]);
  return copy;
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}...` : value;
}
