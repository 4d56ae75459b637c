// Plain request and response shapes: the use cases in lib/registration see only these.

export interface HttpRequest {
  readonly method: string;
  /** Header names in lower case; API Gateway may repeat a header, the last value wins. */
  readonly headers: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** Body as text (API Gateway base64 bodies are decoded), or null when there is none. */
  readonly body: string | null;
  /** Absolute URL the API is served under (scheme, host and stage), without a trailing slash. */
  readonly baseUrl: string;
  readonly requestId: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, or '' for no body. */
  readonly body: string;
}

/**
 * A change of a client, for the audit line the handler writes (the handler adds who asked from where):
 * field names only, never a value.
 */
export interface ClientAudit {
  readonly operation: 'register' | 'update' | 'rotate' | 'delete';
  readonly clientId: string;
  /** The initial access token's subject (register), the registering subject stored on the client (management), or 'anonymous'. */
  readonly who: string;
  /**
   * Names of the fields that changed, and flags such as "client_secret rotated" (lib/registration/changed-fields.ts);
   * absent when not known (the write's answer was lost, and only its result was read back).
   */
  readonly changed?: readonly string[];
}

/** What a use case answers: the response, and the audit of the client change it made, if any. */
export interface UseCaseAnswer extends HttpResponse {
  readonly audit?: ClientAudit;
}
