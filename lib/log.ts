// One JSON line per request. Never pass bodies, tokens or secrets here: only names, codes and ids.

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

function threshold(): number {
  const configured = (process.env.DCR_LOG_LEVEL ?? 'info').toLowerCase();
  return ORDER[configured as Level] ?? ORDER.info;
}

export function log(level: Level, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
  if (ORDER[level] < threshold()) return;
  const line = JSON.stringify({ level, message, ...fields, time: new Date().toISOString() });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}
