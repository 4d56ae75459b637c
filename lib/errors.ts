// One small hierarchy of errors with stable codes. Every layer throws these; lib/http/responses.ts
// is the one place that turns them into HTTP answers.

/**
 * The standard ErrorOptions (`cause`: the failure this error wraps, which the request log line of a 5xx
 * describes) and how the answer is shaped besides status and body.
 */
export interface RegistrationErrorOptions extends ErrorOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer with no body (405 for a disallowed delete). */
  readonly emptyBody?: boolean;
}

export class RegistrationError extends Error {
  readonly headers: Readonly<Record<string, string>>;
  readonly emptyBody: boolean;

  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    options: RegistrationErrorOptions = {},
  ) {
    // Error sets `cause` only when options has one
    super(description, options);
    this.name = 'RegistrationError';
    this.headers = options.headers ?? {};
    this.emptyBody = options.emptyBody ?? false;
  }
}

// Factories of errors that can wrap a failure take the standard ErrorOptions: `{ cause }`.

export const invalidRequest = (description: string, options?: ErrorOptions) =>
  new RegistrationError(400, 'invalid_request', description, options);

export const invalidClientMetadata = (description: string, options?: ErrorOptions) =>
  new RegistrationError(400, 'invalid_client_metadata', description, options);

export const invalidRedirectUri = (description: string, options?: ErrorOptions) =>
  new RegistrationError(400, 'invalid_redirect_uri', description, options);

/** RFC 7591 §3.2.2: the software statement is malformed, badly signed, expired, or missing where one is required. */
export const invalidSoftwareStatement = (description: string, options?: ErrorOptions) =>
  new RegistrationError(400, 'invalid_software_statement', description, options);

/** RFC 7591 §3.2.2: a well-formed software statement this server does not accept (untrusted issuer, software not allowed). */
export const unapprovedSoftwareStatement = (description: string, options?: ErrorOptions) =>
  new RegistrationError(400, 'unapproved_software_statement', description, options);

/** A registration policy refuses the caller itself, whatever its metadata (a client cap is reached). */
export const accessDenied = (description: string) => new RegistrationError(403, 'access_denied', description);

/** RFC 6750 §3.1: a request without credentials gets a bare challenge, one with bad credentials gets the error. */
export const missingToken = (description: string) =>
  new RegistrationError(401, 'invalid_token', description, { headers: { 'WWW-Authenticate': 'Bearer' } });

export const invalidToken = (description: string, options?: ErrorOptions) =>
  new RegistrationError(401, 'invalid_token', description, {
    ...options,
    headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${quoteSafe(description)}"` },
  });

export const insufficientScope = (requiredScope: string) =>
  new RegistrationError(403, 'insufficient_scope', `the initial access token does not carry the required scope: ${requiredScope}`, {
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${quoteSafe(requiredScope)}"` },
  });

export const notFound = () => new RegistrationError(404, 'not_found', 'dynamic client registration is not enabled here');

export const methodNotAllowed = (allow: string) =>
  new RegistrationError(405, 'method_not_allowed', 'this method is not allowed', { headers: { Allow: allow }, emptyBody: true });

export const payloadTooLarge = (limit: number) =>
  new RegistrationError(413, 'invalid_request', `the request body is larger than ${limit} bytes`);

export const temporarilyUnavailable = (description: string, retryAfterSeconds = 1, options?: ErrorOptions) =>
  new RegistrationError(503, 'temporarily_unavailable', description, { ...options, headers: { 'Retry-After': String(retryAfterSeconds) } });

/**
 * RFC 6749 §5.2 invalid_client, thrown by the client directory (lib/directory). The answer never
 * says why (an unknown client and a wrong secret look alike); `reason` is for the logs only and never
 * holds a secret or an assertion. A client that tried the Authorization header gets the challenge.
 */
export class InvalidClientError extends RegistrationError {
  constructor(
    readonly reason: string,
    options: { readonly basic?: boolean } = {},
  ) {
    super(401, 'invalid_client', 'client authentication failed', {
      headers: options.basic ? { 'WWW-Authenticate': 'Basic realm="token endpoint"' } : {},
    });
    this.name = 'InvalidClientError';
  }
}

export const serverError = (options?: ErrorOptions) =>
  new RegistrationError(500, 'server_error', 'the server met an unexpected condition', options);

// A quoted-string in a challenge cannot hold '"' or '\'; descriptions are ours, but stay safe.
function quoteSafe(value: string): string {
  return value.replace(/["\\]/g, "'");
}
