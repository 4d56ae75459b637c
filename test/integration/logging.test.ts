// Logs: one JSON line per request, and never a secret, a token or a request body in it.
import { describe, expect, it, vi } from 'vitest';
import { clientPath, useHarness } from '../support/harness.js';

describe('request logs', () => {
  const h = useHarness();
  let lines: string[];

  async function logged<T>(act: () => Promise<T>): Promise<T> {
    lines = [];
    const previous = process.env.DCR_LOG_LEVEL;
    process.env.DCR_LOG_LEVEL = 'debug';
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    const out = vi.spyOn(console, 'log').mockImplementation(capture);
    const err = vi.spyOn(console, 'error').mockImplementation(capture);
    try {
      return await act();
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.env.DCR_LOG_LEVEL = previous;
    }
  }

  it('writes one line per request, with route, status and request id', async () => {
    // Act
    const res = await logged(() => h.register({ redirect_uris: ['https://app.example/cb'] }));

    // Assess
    expect(res.status).toBe(201);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', message: 'request', route: 'register', status: 201 });
  });

  it('names the refusal on the same line', async () => {
    // Act
    const res = await logged(() => h.register({ redirect_uris: ['https://app.example/cb#fragment'] }));

    // Assess
    expect(res.status).toBe(400);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 400, error: 'invalid_redirect_uri' });
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
