import { silenced } from './log.js';

// Metrics in CloudWatch Embedded Metric Format (EMF): each request writes ONE JSON line to stdout whose
// `_aws.CloudWatchMetrics` directives tell CloudWatch Logs which of its members are metrics and under
// which dimensions. No API call, no library: building the line costs one small object and one
// JSON.stringify. The alarms and the dashboard of the stack read exactly these names (docs/operations.md).

export const METRICS_NAMESPACE = 'DcrService';

/**
 * Counters of the service as a whole (dimensions [Stage]). Code below the handler (the settings source,
 * the DynamoDB client, the token check) counts them with countMetric; the request's line carries them.
 */
export type ServiceCounter =
  | 'SettingsReadFailures'
  | 'DatastoreThrottles'
  | 'DatastoreTimeouts'
  | 'InitialAccessTokenFailures'
  | 'ClientsRegistered'
  | 'CredentialsRotated'
  | 'ClientsDeleted';

// A Lambda container runs one request at a time, so what is counted between two lines belongs to the
// request that writes the next one. A process serving requests concurrently (the local server) may put a
// count on a neighbour's line: these counters have no route dimension, so every total stays exact.
let pending: Partial<Record<ServiceCounter, number>> = {};
let pendingAny = false;

export function countMetric(name: ServiceCounter, by = 1): void {
  pending[name] = (pending[name] ?? 0) + by;
  pendingAny = true;
}

/** What the handler knows of a request when it has answered. */
export interface RequestMetrics {
  readonly stage: string;
  readonly route: string;
  readonly status: number;
  /** The OAuth `error` code of an error answer (dimension of Refusals). */
  readonly error?: string;
  readonly latencyMs: number;
}

const directive = (dimensions: readonly string[], name: string, unit: 'Count' | 'Milliseconds') => ({
  Namespace: METRICS_NAMESPACE,
  Dimensions: [dimensions],
  Metrics: [{ Name: name, Unit: unit }],
});
// built once: a request only picks the ones it needs
const LATENCY = directive(['Stage', 'Route'], 'Latency', 'Milliseconds');
const REQUESTS = directive(['Stage', 'Route', 'StatusClass'], 'Requests', 'Count');
const REFUSALS = directive(['Stage', 'Route', 'Error'], 'Refusals', 'Count');

/** The EMF object of one request; the service counters counted since the last line are taken into it. */
export function requestMetrics(request: RequestMetrics, timestamp: number): Record<string, unknown> {
  const directives: object[] = [LATENCY, REQUESTS];
  const line: Record<string, unknown> = {
    _aws: { Timestamp: timestamp, CloudWatchMetrics: directives },
    Stage: request.stage,
    Route: request.route,
    StatusClass: `${Math.floor(request.status / 100)}xx`,
    Latency: request.latencyMs,
    Requests: 1,
  };
  if (request.error !== undefined) {
    directives.push(REFUSALS);
    line.Error = request.error;
    line.Refusals = 1;
  }
  if (pendingAny) {
    const counters = Object.keys(pending) as ServiceCounter[];
    directives.push({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['Stage']],
      Metrics: counters.map((name) => ({ Name: name, Unit: 'Count' })),
    });
    for (const name of counters) line[name] = pending[name];
    pending = {};
    pendingAny = false;
  }
  return line;
}

/**
 * Writes the request's EMF line straight to stdout, not through console.log: under Lambda's JSON log
 * format console.log would wrap it in a `message` string, and CloudWatch would extract nothing.
 * Written at every log level but `silent` (benchmarks, the test suite): metrics are not debug output.
 */
export function writeRequestMetrics(request: RequestMetrics, now = Date.now()): void {
  const line = requestMetrics(request, now);
  if (!silenced()) process.stdout.write(`${JSON.stringify(line)}\n`);
}
