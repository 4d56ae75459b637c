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
