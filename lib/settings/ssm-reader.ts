import { HttpRequest, type HttpResponse } from '@smithy/core/protocols';
import { getRetryAfterHint, isServerError, isThrottlingError, isTransientError, StandardRetryStrategy } from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import { TIME_BUDGET } from '../time-budget.js';
import { resolveSsmEndpoint, ssmEndpointUrlOf } from './ssm-endpoint.js';

// The two SSM reads the routes make (the settings, one SecureString), spoken directly in SSM's protocol
// (AWS JSON 1.1, SigV4-signed) instead of through @aws-sdk/client-ssm: that client's models and schemas
// (~83 KB) are registered at module level, so esbuild cannot drop them, and loading them cost about 6 ms
// of CPU at every cold start of every route (docs/architecture.md). Everything here is a piece the
// DynamoDB client already loads into every bundle: its credentials, hash, HTTP handler and resolved
// region/FIPS/dual-stack configuration, the SDK's SigV4 signer, retry strategy and error classification.

type SignerInit = ConstructorParameters<typeof SignatureV4>[0];

/** What an AWS SDK client of the container has resolved (a DynamoDBClient's `config` is one). */
export interface AwsClientPieces {
  readonly region: () => Promise<string>;
  readonly credentials: SignerInit['credentials'];
  readonly sha256: SignerInit['sha256'];
  /** Its per-attempt connection and request timeouts (AWS_CLIENT_TIMEOUTS) apply to these requests too. */
  readonly requestHandler: {
    handle(request: HttpRequest, options?: { abortSignal?: AbortSignal }): Promise<{ response: HttpResponse }>;
  };
  readonly useFipsEndpoint: () => Promise<boolean>;
  readonly useDualstackEndpoint: () => Promise<boolean>;
  /** The client's correction for a skewed clock, learnt from AWS's answers. */
  readonly systemClockOffset?: number;
}

/** The SDK's retry strategy interface (v2), as much of it as is used here. */
export interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}
type RetryToken = Awaited<ReturnType<StandardRetryStrategy['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];

export interface SsmReaderOptions {
  readonly aws: AwsClientPieces;
  /**
   * Where AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL / AWS_IGNORE_CONFIGURED_ENDPOINT_URLS are read; process.env
   * by default. These are the AWS SDK's own variables, not this service's, so they are read here, where the
   * SDK client that this replaces read them, and with its precedence, rather than through the DCR_*
   * catalogue (lib/settings/environment.ts): every AWS tool honours them alike, and the DynamoDB client
   * reads its own (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, AWS_USE_FIPS_ENDPOINT, ...) from process.env too.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The SDK's standard retry strategy (3 attempts) by default; tests pass one without back-off. */
  readonly retry?: RetryStrategy;
}

export interface Parameter {
  readonly Name?: string;
  readonly Value?: string;
  readonly Type?: string;
}

export interface GetParametersOutput {
  readonly Parameters?: readonly Parameter[];
  readonly InvalidParameters?: readonly string[];
}

export interface GetParameterOutput {
  readonly Parameter?: Parameter;
}

// A clock this far off SSM's is corrected (the SDK's isClockSkewed threshold, 4 minutes).
const CLOCK_SKEW_MS = 240_000;

/** An error answer of SSM, named as the SDK names it (ParameterNotFound, ThrottlingException, ...). */
export class SsmServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; clockSkewCorrected?: true };

  constructor(name: string, message: string, statusCode: number) {
    super(message);
    this.name = name;
    this.$fault = statusCode < 500 ? 'client' : 'server';
    this.$metadata = { httpStatusCode: statusCode };
  }
}

/**
 * GetParameters and GetParameter over SSM's JSON protocol. Each call retries throttling, 5xx and network
 * failures as the SDK's standard mode does (3 attempts, exponential back-off with jitter, the same retry
 * quota), and stops at once when `signal` aborts: the caller's deadline (boundedCall) bounds the whole call.
 */
export class SsmReader {
  private readonly signer: SignatureV4;
  private readonly retry: RetryStrategy;
  private endpoint?: Promise<URL>;
  /** SSM's clock minus ours, sampled from its answers' Date header as the SDK's signer does; the DynamoDB client's until then. */
  private clockOffset?: number;

  constructor(private readonly options: SsmReaderOptions) {
    const { aws } = options;
    this.signer = new SignatureV4({ credentials: aws.credentials, region: aws.region, service: 'ssm', sha256: aws.sha256 });
    this.retry = options.retry ?? new StandardRetryStrategy(TIME_BUDGET.awsMaxAttempts);
  }

  getParameters(names: readonly string[], signal: AbortSignal): Promise<GetParametersOutput> {
    return this.call('GetParameters', { Names: names }, signal);
  }

  getParameter(name: string, withDecryption: boolean, signal: AbortSignal): Promise<GetParameterOutput> {
    return this.call('GetParameter', { Name: name, WithDecryption: withDecryption }, signal);
  }

  private async call<T>(operation: string, input: object, signal: AbortSignal): Promise<T> {
    const body = JSON.stringify(input);
    let token = await this.retry.acquireInitialRetryToken('');
    for (;;) {
      const answer: { response?: HttpResponse } = {};
      try {
        const output = await this.attempt<T>(operation, body, signal, answer);
        this.retry.recordSuccess(token);
        return output;
      } catch (error) {
        if (signal.aborted) throw error;
        const errorInfo: RetryErrorInfo = {
          error: error as RetryErrorInfo['error'],
          errorType: errorTypeOf(error),
          retryAfterHint: getRetryAfterHint(answer.response),
        };
        try {
          // the standard strategy waits its back-off here; it refuses (throws) when the error is not
          // retryable, the attempts are spent or the retry quota is empty
          token = await untilAborted(this.retry.refreshRetryTokenForRetry(token, errorInfo), signal);
        } catch {
          throw error;
        }
        const delay = token.getRetryDelay();
        if (delay > 0) await untilAborted(new Promise((resolve) => setTimeout(resolve, delay)), signal).catch(() => undefined);
        if (signal.aborted) throw error;
      }
    }
  }

  /** One signed request; the answer's response is kept in `answer` for the retry's Retry-After hint. */
  private async attempt<T>(operation: string, body: string, signal: AbortSignal, answer: { response?: HttpResponse }): Promise<T> {
    const endpoint = await this.resolveEndpoint();
    const request = new HttpRequest({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AmazonSSM.${operation}`,
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
    const offsetBefore = this.clockOffset ?? this.options.aws.systemClockOffset ?? 0;
    const signed = await this.signer.sign(request, { signingDate: new Date(Date.now() + offsetBefore) });
    const sentAt = Date.now();
    const { response } = await this.options.aws.requestHandler.handle(signed as HttpRequest, { abortSignal: signal });
    answer.response = response;
    this.sampleClock(response, sentAt);
    const text = await bodyText(response.body);
    // a success must be SSM's JSON (a body that is not would throw here, as in the SDK); an error's body
    // may be anything (a proxy's page): then its status decides
    if (response.statusCode >= 200 && response.statusCode < 300) return (text ? JSON.parse(text) : {}) as T;
    const error = serviceError(response, errorBody(text));
    // a request refused for a skewed clock is tried again with the corrected one (the SDK's signer marks it so)
    const offsetAfter = this.clockOffset ?? offsetBefore;
    if (Math.abs(offsetAfter) >= CLOCK_SKEW_MS && offsetAfter !== offsetBefore) error.$metadata.clockSkewCorrected = true;
    throw error;
  }

  /** The SDK's getUpdatedSystemClockOffset: not through a cache (Age), nor from an answer that took 15 minutes. */
  private sampleClock(response: HttpResponse, sentAt: number): void {
    const date = headerOf(response, 'date');
    if (date === undefined || headerOf(response, 'age') !== undefined) return;
    const serverTime = Date.parse(date);
    const receivedAt = Date.now();
    if (Number.isNaN(serverTime) || receivedAt - sentAt > 900_000) return;
    this.clockOffset = serverTime - receivedAt;
  }

  private resolveEndpoint(): Promise<URL> {
    const { aws, env = process.env } = this.options;
    this.endpoint ??= (async () =>
      resolveSsmEndpoint({
        endpointUrl: ssmEndpointUrlOf(env),
        region: await aws.region(),
        useFips: await aws.useFipsEndpoint(),
        useDualstack: await aws.useDualstackEndpoint(),
      }))();
    // a configuration that does not resolve is not kept: it fails every call alike, but costs nothing to retry
    this.endpoint.catch(() => {
      this.endpoint = undefined;
    });
    return this.endpoint;
  }
}

/** The SDK's classification (retryMiddleware's getRetryErrorType), from the same functions. */
function errorTypeOf(error: unknown): RetryErrorInfo['errorType'] {
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(sdkError)) return 'THROTTLING';
  if (isTransientError(sdkError)) return 'TRANSIENT';
  if (isServerError(sdkError)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/**
 * The error of an SSM answer that is not a success. Its name comes from the JSON `__type` (after `#`),
 * else a `code` member, else the x-amzn-errortype header, as the SDK's JSON RPC protocol reads it.
 */
function serviceError(response: HttpResponse, data: unknown): SsmServiceError {
  const members = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const codeKey = Object.keys(members).find((key) => key.toLowerCase() === 'code');
  const raw = members.__type ?? (codeKey !== undefined ? members[codeKey] : undefined) ?? headerOf(response, 'x-amzn-errortype');
  const name = raw === undefined || raw === '' ? 'Unknown' : errorCodeOf(String(raw));
  const message = members.message ?? members.Message;
  return new SsmServiceError(name, typeof message === 'string' ? message : 'UnknownError', response.statusCode);
}

/** `aws.ssm#ParameterNotFound:http://...` → `ParameterNotFound` (the SDK's sanitizeErrorCode). */
function errorCodeOf(raw: string): string {
  let code = raw.split(',')[0]!;
  code = code.split(':')[0]!;
  return code.includes('#') ? code.split('#')[1]! : code;
}

function headerOf(response: HttpResponse, name: string): string | undefined {
  const key = Object.keys(response.headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : response.headers[key];
}

function errorBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Settles with `promise`, or rejects as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
