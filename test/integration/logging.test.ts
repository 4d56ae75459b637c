// Logs: one JSON line per request, and never a secret, a token or a request body in it.
import { describe, expect, it, vi } from 'vitest';
import { setLogLevel } from '../../lib/log.js';
import type { Settings } from '../../lib/settings/catalog.js';
import { clientPath, HARNESS_SETTINGS, REGISTRATION_PATH, useHarness } from '../support/harness.js';

const METADATA = { redirect_uris: ['https://app.example/cb'] };

let lines: string[];

/** Runs `act` with every log line captured in `lines`. */
async function logged<T>(act: () => Promise<T>): Promise<T> {
  lines = [];
  setLogLevel('debug');
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  const out = vi.spyOn(console, 'log').mockImplementation(capture);
  const err = vi.spyOn(console, 'error').mockImplementation(capture);
  // the EMF metrics lines (raw stdout) are kept off the report: test/integration/observability.test.ts reads them
  const metrics = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await act();
  } finally {
    out.mockRestore();
    err.mockRestore();
    metrics.mockRestore();
    setLogLevel('silent');
  }
}

/** The request line among the captured ones (a failure may log a line of its own before it). */
function requestLine(): Record<string, any> {
  const requests = lines.map((line) => JSON.parse(line)).filter((line) => line.message === 'request');
  expect(requests).toHaveLength(1);
  return requests[0];
}

describe('request logs', () => {
  const h = useHarness();

  it('writes one line per request, with route, status and request id', async () => {
    // Act
    const res = await logged(() => h.register({ redirect_uris: ['https://app.example/cb'] }));

    // Assess
    expect(res.status).toBe(201);
    // the other line is the audit line of the new client (test/integration/observability.test.ts)
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['client changed', 'request']);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'info', message: 'request', route: 'register', status: 201 });
  });

  it('names the refusal on the same line', async () => {
    // Act
    const res = await logged(() => h.register({ redirect_uris: ['https://app.example/cb#fragment'] }));

    // Assess
    expect(res.status).toBe(400);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 400, error: 'invalid_redirect_uri' });
    // a refusal is the caller's doing: no cause to investigate
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('cause');
  });

  it('describes an unexpected failure as the cause of the 500', async () => {
    // Prepare: a settings source that fails while a request reads it
    h.settings = new Proxy(
      { ...HARNESS_SETTINGS },
      {
        get() {
          throw new RangeError('settings exploded');
        },
      },
    ) as Settings;

    // Act
    const res = await logged(() => h.call('POST', REGISTRATION_PATH, { token: 'some-token', body: METADATA }));

    // Assess
    expect(res.status).toBe(500);
    expect(requestLine()).toMatchObject({
      level: 'error',
      status: 500,
      error: 'server_error',
      cause: { name: 'RangeError', message: 'settings exploded', stack: expect.stringContaining('settings exploded') },
    });
  });

  it('never writes a secret, a registration access token, an initial access token or a body through a whole lifecycle', async () => {
    // Prepare
    const iat = await h.initialAccessToken();
    const secrets: string[] = [iat];

    // Act
    await logged(async () => {
      const created = await h.call('POST', '/as/clients.oauth2', {
        token: iat,
        body: { redirect_uris: ['https://app.example/cb'], client_name: 'Log Probe App', token_endpoint_auth_method: 'client_secret_jwt' },
      });
      secrets.push(created.body.client_secret, created.body.registration_access_token);
      const read = await h.call('GET', clientPath(created.body.client_id), { token: created.body.registration_access_token });
      secrets.push(read.body.client_secret, read.body.registration_access_token);
      const wrong = await h.call('PUT', clientPath(created.body.client_id), {
        token: read.body.registration_access_token,
        body: { client_id: created.body.client_id, client_secret: 'a-guessed-secret', redirect_uris: ['https://app.example/cb'] },
      });
      expect(wrong.status).toBe(400);
      secrets.push('a-guessed-secret');
      await h.call('DELETE', clientPath(created.body.client_id), { token: read.body.registration_access_token });
    });

    // Assess
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const text = lines.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('Log Probe App');
  });
});

describe('request logs with the client table unreachable', () => {
  const h = useHarness();

  it('describes the failure a 5xx wraps (its cause) on the request line', async () => {
    // Prepare
    await h.dynamoDb.close();

    // Act
    const res = await logged(() => h.register(METADATA));

    // Assess: the answer says "retry", the log line says why
    expect(res.status).toBe(503);
    expect(requestLine()).toMatchObject({
      level: 'error',
      status: 503,
      error: 'temporarily_unavailable',
      cause: { name: expect.any(String), message: expect.stringMatching(/ECONNREFUSED/), stack: expect.any(String) },
    });
  });
});
