import { describe, expect, it } from 'vitest';
import { log } from '../../lib/log.js';
import { capturedLogs } from '../support/log-capture.js';

describe('log', () => {
  it('writes one JSON line with level, message, time and the fields', async () => {
    // Act
    const { lines } = await capturedLogs(() => log('info', 'request', { route: 'register', status: 201 }));

    // Assess
    expect(lines).toEqual([{ level: 'info', message: 'request', route: 'register', status: 201, time: expect.any(String) }]);
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('never lets a field replace level, message or time: a field of that name is kept under field_<name>', async () => {
    // Act: an error's text passed as `message`, as a caller reporting a failure might
    const { lines } = await capturedLogs(() =>
      log('error', 'settings could not be read', {
        message: 'Rate exceeded',
        level: 'debug',
        time: 'yesterday',
        error: 'ThrottlingException',
      }),
    );

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      message: 'settings could not be read',
      error: 'ThrottlingException',
      field_message: 'Rate exceeded',
      field_level: 'debug',
      field_time: 'yesterday',
    });
    expect(lines[0]!.time).not.toBe('yesterday');
  });
});
