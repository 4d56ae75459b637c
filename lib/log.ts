// One JSON line per request. Never pass bodies, tokens or secrets here: only names, codes and ids.

type Level = 'debug' | 'info' | 'warn' | 'error';
/** The levels DCR_LOG_LEVEL accepts (lib/settings/environment.ts); `silent` writes nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

let threshold = ORDER.info;

/** Set by the composition root from DCR_LOG_LEVEL (lib/runtime/core.ts); `info` until then. */
export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

/** DCR_LOG_LEVEL=silent: nothing at all is written (benchmarks, the test suite). */
export function silenced(): boolean {
  return threshold === ORDER.silent;
}

export function log(level: Level, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({ level, message, ...ownFields(fields), time: new Date().toISOString() });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

// A field can never replace what every line is filtered on: one named like them is kept as field_<name>.
const RESERVED = new Set(['level', 'message', 'time']);

function ownFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (!Object.keys(fields).some((name) => RESERVED.has(name))) return fields;
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [RESERVED.has(name) ? `field_${name}` : name, value]));
}

/**
 * An audit line (level "audit"): written at every level but `silent`, so an operator who turns the
 * request lines down to warnings still keeps the record of who changed which client.
 */
export function audit(message: string, fields: Readonly<Record<string, unknown>>): void {
  if (silenced()) return;
  console.log(JSON.stringify({ level: 'audit', message, ...ownFields(fields), time: new Date().toISOString() }));
}
