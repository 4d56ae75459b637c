// SSM cannot run on this machine (no emulator, no network): this is a small SSM on 127.0.0.1 speaking
// its JSON protocol (GetParameters, GetParameter) that checks each request's SigV4 signature itself,
// with node:crypto and the known static credentials below (so a broken signer, or a wrong service or
// region, fails the test), and can answer errors, throttle, or stall.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StandardRetryStrategy } from '@smithy/core/retry';
import { type AwsClientPieces, SsmReader, type SsmReaderOptions } from '../../lib/settings/ssm-reader.js';
import { AWS_CLIENT_TIMEOUTS } from '../../lib/time-budget.js';

export const SSM_REGION = 'eu-west-1';
export const SSM_CREDENTIALS = { accessKeyId: 'AKIDLOCALSSM', secretAccessKey: 'local-ssm-secret-key', sessionToken: 'local-session' };

/** One request as received: its operation (X-Amz-Target without the prefix) and its JSON input. */
export interface SsmRequest {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/** An answer other than the parameters: an error (`__type`), a throttle, or no answer at all. */
export interface SsmErrorAnswer {
  readonly kind: 'error';
  readonly status: number;
  readonly type: string;
  readonly message: string;
  /** Name the error in the x-amzn-errortype header instead of the body's __type. */
  readonly viaHeader?: boolean;
}

export type SsmTrouble =
  | SsmErrorAnswer
  | { readonly kind: 'stall' }
  /** The connection is cut before any answer (a network failure: ECONNRESET). */
  | { readonly kind: 'reset' };

export const THROTTLED: SsmErrorAnswer = { kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
export const ACCESS_DENIED: SsmErrorAnswer = { kind: 'error', status: 400, type: 'AccessDeniedException', message: 'denied' };

export class LocalSsm {
  /** The parameter store, by full name; tests change values as an operator would. */
  readonly parameters = new Map<string, { value: string; type: 'String' | 'SecureString' }>();
  /** Every request whose signature checked out, in order of arrival. */
  readonly requests: SsmRequest[] = [];
  /** Requests refused for their signature (each also answered 403 InvalidSignatureException). */
  readonly badSignatures: string[] = [];
  /** Troubles for the next requests, one each, in order; `always` for every request after them. */
  readonly next: SsmTrouble[] = [];
  always?: SsmTrouble;
  /** How far this SSM's clock is ahead of the machine's: its Date header says so, and a request signed more than 5 minutes off is refused. */
  clockSkewMs = 0;
  /** While set, every request (signed correctly) waits for it before its answer. */
  hold?: Promise<void>;
  private readonly server: Server;
  private readonly stalled = new Set<ServerResponse>();
  private readonly calls = new Set<Promise<unknown>>();

  constructor(private readonly region = SSM_REGION) {
    this.server = createServer((request, response) => {
      void this.answer(request, response);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The requests of one operation, their inputs. */
  inputs(operation: string): Record<string, unknown>[] {
    return this.requests.filter((request) => request.operation === operation).map((request) => request.input);
  }

  put(name: string, value: string, type: 'String' | 'SecureString' = 'String'): void {
    this.parameters.set(name, { value, type });
  }

  reset(): void {
    this.parameters.clear();
    this.requests.length = 0;
    this.badSignatures.length = 0;
    this.next.length = 0;
    this.always = undefined;
    this.hold = undefined;
    this.clockSkewMs = 0;
  }

  async close(): Promise<void> {
    for (const response of this.stalled) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /**
   * A reader of this SSM, on the pieces of a real DynamoDB client (region, credentials, hash, HTTP handler).
   * Its calls are tracked, so that `settled()` can wait for calls a test left running.
   */
  reader(options: Partial<SsmReaderOptions> = {}): SsmReader {
    const reader = new SsmReader({ aws: awsPieces(), env: { AWS_ENDPOINT_URL_SSM: this.url }, ...options });
    const track = <T>(call: Promise<T>): Promise<T> => {
      this.calls.add(call);
      call.then(
        () => this.calls.delete(call),
        () => this.calls.delete(call),
      );
      return call;
    };
    const { getParameters, getParameter } = reader;
    reader.getParameters = (names, signal) => track(getParameters.call(reader, names, signal));
    reader.getParameter = (name, withDecryption, signal) => track(getParameter.call(reader, name, withDecryption, signal));
    return reader;
  }

  /**
   * Waits for the calls of this SSM's readers that are still running: a read of the settings fails as soon
   * as one of its parallel calls fails, and the others (retrying) would reach the next test.
   */
  async settled(): Promise<void> {
    while (this.calls.size) await Promise.allSettled([...this.calls]);
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    response.setHeader('date', new Date(Date.now() + this.clockSkewMs).toUTCString());
    const refused = this.signatureProblem(request, body);
    if (refused) {
      this.badSignatures.push(refused);
      return send(response, 403, { __type: 'InvalidSignatureException', message: refused });
    }
    const operation = String(request.headers['x-amz-target']).replace(/^AmazonSSM\./, '');
    const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    this.requests.push({ operation, input });
    await this.hold;
    const trouble = this.next.shift() ?? this.always;
    if (trouble?.kind === 'stall') {
      this.stalled.add(response);
      return;
    }
    if (trouble?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (trouble?.kind === 'error') {
      if (trouble.viaHeader) {
        response.setHeader('x-amzn-errortype', `${trouble.type}:http://internal.amazon.com/coral/com.amazonaws.ssm/`);
        return send(response, trouble.status, { message: trouble.message });
      }
      return send(response, trouble.status, { __type: `com.amazonaws.ssm#${trouble.type}`, message: trouble.message });
    }
    if (request.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return send(response, 400, { __type: 'SerializationException', message: 'wrong content type' });
    }
    if (operation === 'GetParameters') {
      const names = input.Names as string[];
      const found = names.filter((name) => this.parameters.has(name));
      return send(response, 200, {
        Parameters: found.map((name) => this.describe(name, false)),
        InvalidParameters: names.filter((name) => !this.parameters.has(name)),
      });
    }
    if (operation === 'GetParameter') {
      const name = input.Name as string;
      if (!this.parameters.has(name)) return send(response, 400, { __type: 'com.amazonaws.ssm#ParameterNotFound', message: '' });
      return send(response, 200, { Parameter: this.describe(name, input.WithDecryption === true) });
    }
    return send(response, 400, { __type: 'com.amazonaws.ssm#InvalidAction', message: `unknown operation ${operation}` });
  }

  private describe(name: string, decrypted: boolean) {
    const { value, type } = this.parameters.get(name)!;
    // a SecureString read without decryption comes back encrypted, as in SSM
    return { Name: name, Type: type, Value: type === 'SecureString' && !decrypted ? 'AQICAHencrypted==' : value, Version: 1 };
  }

  /** What is wrong with the request's SigV4 signature (AWS4-HMAC-SHA256, service ssm, this region), if anything. */
  private signatureProblem(request: IncomingMessage, body: Buffer): string | undefined {
    const authorization = request.headers.authorization ?? '';
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!match) return 'no SigV4 Authorization header';
    const [, accessKeyId, day, region, service, signedHeaders, signature] = match as unknown as string[];
    if (accessKeyId !== SSM_CREDENTIALS.accessKeyId) return `unknown access key ${accessKeyId}`;
    if (service !== 'ssm') return `signed for service ${service}`;
    if (region !== this.region) return `signed for region ${region}`;
    if (request.headers['x-amz-security-token'] !== SSM_CREDENTIALS.sessionToken) return 'no session token';
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    if (!amzDate.startsWith(day!)) return 'x-amz-date does not match the credential scope';
    const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!(Math.abs(signedAt - (Date.now() + this.clockSkewMs)) <= 5 * 60_000))
      return `Signature expired: ${amzDate} is out of the 5 minutes around this clock`;
    const names = signedHeaders!.split(';');
    for (const required of ['host', 'x-amz-date', 'x-amz-target', 'content-type']) {
      if (!names.includes(required)) return `${required} is not signed`;
    }
    const canonicalRequest = [
      request.method,
      new URL(request.url ?? '/', 'http://x').pathname,
      '',
      ...names.map(
        (name) =>
          `${name}:${String(request.headers[name] ?? '')
            .trim()
            .replace(/\s+/g, ' ')}`,
      ),
      '',
      signedHeaders,
      sha256Hex(body),
    ].join('\n');
    const scope = `${day}/${region}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(Buffer.from(canonicalRequest))].join('\n');
    let key: Buffer = Buffer.from(`AWS4${SSM_CREDENTIALS.secretAccessKey}`);
    for (const part of [day!, region!, service!, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    return expected === signature ? undefined : 'signature does not match';
  }
}

/** The SDK's standard retry strategy (3 attempts, its quota) without its back-off waits. */
export function noBackOff(): StandardRetryStrategy {
  return new StandardRetryStrategy({ maxAttempts: 3, backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined } });
}

/** The resolved configuration of a real DynamoDB client with the static credentials, as the runtime hands it over. */
export function awsPieces(overrides: Partial<AwsClientPieces> = {}): AwsClientPieces {
  const client = new DynamoDBClient({ ...AWS_CLIENT_TIMEOUTS, region: SSM_REGION, credentials: SSM_CREDENTIALS });
  return { ...client.config, ...overrides };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
