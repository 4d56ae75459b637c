import { vi } from 'vitest';
import { setLogLevel } from '../../lib/log.js';

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
