import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ROUTES, type Route } from '../routes.js';

export interface PlainRequest {
  readonly method: string;
  /** Path without query string, e.g. /as/clients.oauth2/abc */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string | null;
  readonly query?: Readonly<Record<string, string>>;
}

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly pathParameters: Record<string, string> }
  | { readonly kind: 'wrong-method'; readonly allow: string[] }
  | { readonly kind: 'no-route' }
  /** A path parameter holds a malformed percent-escape (%E0%A4%A): it names nothing. */
  | { readonly kind: 'bad-path'; readonly parameter: string };

const COMPILED = ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
}));

/** Finds the route of the table for a method and path, the way API Gateway resources do. */
export function matchRoute(method: string, path: string): RouteMatch {
  const allow: string[] = [];
  for (const { route, pattern } of COMPILED) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (route.method === method.toUpperCase()) {
      const pathParameters: Record<string, string> = {};
      for (const [name, value] of Object.entries(match.groups ?? {})) {
        const decoded = decodePathSegment(value);
        if (decoded === undefined) return { kind: 'bad-path', parameter: name };
        pathParameters[name] = decoded;
      }
      return { kind: 'route', route, pathParameters };
    }
    allow.push(route.method);
  }
  return allow.length ? { kind: 'wrong-method', allow } : { kind: 'no-route' };
}

/** A percent-encoded path segment, decoded; undefined when an escape is malformed or not UTF-8. */
function decodePathSegment(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** The API Gateway REST (v1) proxy event API Gateway would send for this request. */
export function toProxyEvent(
  request: PlainRequest,
  route: Route,
  pathParameters: Record<string, string>,
  stage = 'local',
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) if (value !== undefined) headers[name] = value;
  const host = headers.host ?? headers.Host ?? '127.0.0.1';
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  const query = request.query && Object.keys(request.query).length ? { ...request.query } : null;
  const requestId = randomUUID();
  return {
    resource: route.path,
    path: request.path,
    httpMethod: request.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: request.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method.toUpperCase(),
      identity: { sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
      domainName: host,
      path: `/${stage}${request.path}`,
      stage,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: route.name,
      resourcePath: route.path,
    },
  };
}
