// Registration requests of real MCP clients, as they send them (bodies copied from each client's
// source or from reports of its traffic; the port numbers are examples of the ephemeral ones).

export interface McpFixture {
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export const MCP_CLIENT_REGISTRATIONS: readonly McpFixture[] = [
  {
    // microsoft/vscode src/vs/base/common/oauth.ts
    name: 'VS Code',
    body: {
      client_name: 'Visual Studio Code',
      client_uri: 'https://code.visualstudio.com',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: [
        'https://insiders.vscode.dev/redirect',
        'https://vscode.dev/redirect',
        'http://127.0.0.1/',
        'http://127.0.0.1:33418/',
      ],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    },
  },
  {
    // loopback callback on localhost, no scope
    name: 'Claude Code',
    body: {
      client_name: 'Claude Code (my-server)',
      redirect_uris: ['http://localhost:54545/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
  },
  {
    // a hosted assistant's connector: a confidential client with an https callback
    name: 'hosted assistant',
    body: {
      client_name: 'claudeai',
      redirect_uris: ['https://claude.ai/api/mcp/auth_callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'claudeai',
    },
  },
  {
    name: 'Cursor',
    body: {
      client_name: 'Cursor',
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback', 'http://localhost:8787/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
  },
  {
    // what the MCP TypeScript SDK's registerClient posts for a typical provider: its clientMetadata,
    // with the protected resource's scope, plus members other servers know (resource: RFC 8707)
    name: 'MCP TypeScript SDK',
    body: {
      client_name: 'Example MCP Client',
      redirect_uris: ['http://localhost:3000/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'mcp:tools',
      resource: 'https://mcp.example.com/mcp',
      software_id: 'example-mcp-client',
      software_version: '1.32.2',
    },
  },
];
