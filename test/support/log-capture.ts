import { vi } from 'vitest';
import { type LogLevel, setLogLevel } from '../../lib/log.js';

/** The JSON log lines written while `act` runs (at every level), parsed; console output is kept off the test report. */
export async function capturedLogs<T>(act: () => Promise<T> | T): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  setLogLevel('debug');
  const capture = (...args: unknown[]) => void lines.push(JSON.parse(args.map(String).join(' ')) as Record<string, unknown>);
  const out = vi.spyOn(console, 'log').mockImplementation(capture);
  const err = vi.spyOn(console, 'error').mockImplementation(capture);
  try {
    return { result: await act(), lines };
  } finally {
    out.mockRestore();
    err.mockRestore();
    setLogLevel('silent');
  }
}

// Everything the service writes while a test acts: console lines (request and audit logs) and raw stdout lines
// (the EMF metrics lines), each parsed as JSON, at the log level the test asks for.

export interface Output {
  /** Every line, as written. */
  readonly text: string[];
  /** Lines of level "info"/"warn"/"error" with message "request". */
  readonly requests: Record<string, any>[];
  /** Lines of level "audit". */
  readonly audits: Record<string, any>[];
  /** EMF lines: JSON with `_aws.CloudWatchMetrics`. */
  readonly metrics: Record<string, any>[];
}

export async function captured<T>(act: () => Promise<T>, level: LogLevel = 'debug'): Promise<{ result: T; output: Output }> {
  const text: string[] = [];
  setLogLevel(level);
  const capture = (...args: unknown[]) => void text.push(args.map(String).join(' '));
  const out = vi.spyOn(console, 'log').mockImplementation(capture);
  const err = vi.spyOn(console, 'error').mockImplementation(capture);
  const raw = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) if (line) text.push(line);
    return true;
  });
  let result: T;
  try {
    result = await act();
  } finally {
    out.mockRestore();
    err.mockRestore();
    raw.mockRestore();
    setLogLevel('silent');
  }
  const parsed = text.map((line) => JSON.parse(line) as Record<string, any>);
  return {
    result,
    output: {
      text,
      requests: parsed.filter((line) => line.message === 'request'),
      audits: parsed.filter((line) => line.level === 'audit'),
      metrics: parsed.filter((line) => line._aws?.CloudWatchMetrics),
    },
  };
}

/** The metrics of one EMF line as CloudWatch reads them: name -> { value, unit, dimensions (name -> value) }. */
export function metricsOf(
  line: Record<string, any>,
): Record<string, { value: unknown; unit: string; dimensions: Record<string, unknown> }> {
  const found: Record<string, { value: unknown; unit: string; dimensions: Record<string, unknown> }> = {};
  for (const directive of line._aws.CloudWatchMetrics) {
    for (const metric of directive.Metrics) {
      const [dimensionSet] = directive.Dimensions as string[][];
      found[metric.Name] = {
        value: line[metric.Name],
        unit: metric.Unit,
        dimensions: Object.fromEntries(dimensionSet!.map((name) => [name, line[name]])),
      };
    }
  }
  return found;
}
