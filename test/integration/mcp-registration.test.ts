import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyConfig } from '../../lib/policies/config.js';
import { clientPath, REGISTRATION_ACCESS_TOKEN, REGISTRATION_PATH, useHarness } from '../support/harness.js';
import { MCP_CLIENT_REGISTRATIONS } from '../support/mcp-fixtures.js';

// Real MCP clients' registration requests (test/support/mcp-fixtures.ts) through the real handlers:
// accepted with the default settings (with an initial access token) and with the documented open
// registration policy for MCP (docs/mcp.md, without one), answered with registration_client_uri.

/** The policy document of docs/mcp.md, exactly as documented. */
function documentedMcpPolicy(): string {
  const doc = readFileSync('docs/mcp.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Open registration for MCP'));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  expect(json).toBeDefined();
  parsePolicyConfig(json!);
  return json!;
}

const h = useHarness();

describe.each(MCP_CLIENT_REGISTRATIONS)('$name', ({ body }) => {
  async function expectRegistered(answer: { status: number; body: any }) {
    expect(answer.status).toBe(201);
    expect(answer.body.registration_client_uri).toBe(`https://dcr.example.test${clientPath(answer.body.client_id)}`);
    expect(answer.body.registration_access_token).toMatch(REGISTRATION_ACCESS_TOKEN);
    expect(answer.body.redirect_uris).toEqual(body.redirect_uris);
    expect(answer.body.token_endpoint_auth_method).toBe(body.token_endpoint_auth_method);
    // unknown members are ignored, not echoed and not stored
    expect(answer.body.resource).toBeUndefined();
    expect((await h.item(answer.body.client_id))?.metadata.resource).toBeUndefined();
    // the client can read itself back with what it was given
    const read = await h.call('GET', clientPath(answer.body.client_id), { token: answer.body.registration_access_token });
    expect(read.status).toBe(200);
  }

  it('is accepted with the default settings and an initial access token', async () => {
    await expectRegistered(await h.register({ ...body }));
  });

  it('is accepted anonymously under the open registration policy of docs/mcp.md', async () => {
    h.configure({ requireInitialAccessToken: false, registrationPolicies: documentedMcpPolicy() });
    const answer = await h.call('POST', REGISTRATION_PATH, { body });
    await expectRegistered(answer);
    expect(answer.body.grant_types).toEqual(['authorization_code', 'refresh_token']);
    expect(answer.body.response_types).toEqual(['code']);
  });
});

describe('the open registration policy for MCP', () => {
  it('drops what an MCP client may not have instead of refusing the client', async () => {
    h.configure({ requireInitialAccessToken: false, registrationPolicies: documentedMcpPolicy() });
    const vscode = MCP_CLIENT_REGISTRATIONS.find((fixture) => fixture.name === 'VS Code')!.body;
    const answer = await h.call('POST', REGISTRATION_PATH, { body: { ...vscode, scope: 'mcp:tools admin:everything' } });
    expect(answer.status).toBe(201);
    expect(answer.body.grant_types).toEqual(['authorization_code', 'refresh_token']);
    expect(answer.body.scope).toBe('mcp:tools');
  });

  it('still refuses what no client may register (a dangerous redirect scheme, a fragment)', async () => {
    h.configure({ requireInitialAccessToken: false, registrationPolicies: documentedMcpPolicy() });
    for (const redirect of ['javascript:alert(1)', 'https://claude.ai/cb#x']) {
      const answer = await h.call('POST', REGISTRATION_PATH, { body: { redirect_uris: [redirect], token_endpoint_auth_method: 'none' } });
      expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 400, error: 'invalid_redirect_uri' });
    }
  });
});
