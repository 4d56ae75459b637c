// `npm start`: the whole API on http://127.0.0.1:3000 with an embedded DynamoDB. See README.md, "Two commands".
import { SETTINGS } from '../../lib/settings/catalog.js';
import { type Environment, readEnvironment } from '../../lib/settings/environment.js';
import { REGISTRATION_PATH } from '../routes.js';
import { localFetchWarning } from './local-fetch-banner.js';
import { type LocalServer, startLocalServer } from './server.js';

async function main() {
  const environment = readEnvironment(process.env);
  const server = await startLocalServer({ host: environment.host ?? '127.0.0.1', port: environment.port ?? 3000 });
  console.log(await banner(server, environment));
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function banner(server: LocalServer, environment: Environment): Promise<string> {
  const lines = [
    `DCR service listening on ${server.url}`,
    `  register:  POST ${server.url}${REGISTRATION_PATH}`,
    `  manage:    GET | PUT | DELETE ${server.url}${REGISTRATION_PATH}/{client_id}`,
    `  DynamoDB:  ${server.dynamoDbEndpoint}${server.dynamoDb ? ` (embedded, ${environment.localDataDir ? `data in ${environment.localDataDir}` : 'in memory'})` : ''}, tables ${server.tableName} and ${server.initialAccessTokenTableName}`,
    '  settings:',
    ...SETTINGS.map((definition) => `    ${definition.envVar.padEnd(38)} ${formatValue(server.settings[definition.key])}`),
  ];
  const scope = server.settings.initialAccessTokenScopes[0];
  if (server.devIssuer) {
    // with DCR_IAT_AUDIENCE set the verifier checks `aud`, so the printed token must carry it
    const token = await server.devIssuer.mint({ scope: server.settings.initialAccessTokenScopes.join(' '), aud: environment.iatAudience });
    lines.push(
      '',
      `Development issuer: ${server.devIssuer.issuer} (keys at ${server.devIssuer.jwksUri}); a new key pair on every start.`,
      `Initial access token (scope "${scope ?? ''}", valid 24 h):`,
      '',
      `  export IAT=${token}`,
      '',
      'Register a client:',
      '',
      `  curl -s -X POST ${server.url}${REGISTRATION_PATH} \\`,
      '    -H "Authorization: Bearer $IAT" -H "Content-Type: application/json" \\',
      `    -d '{"client_name":"My App","redirect_uris":["https://app.example.com/callback"]}'`,
    );
  }
  lines.push(
    '',
    'Issue an initial access token of this service instead (shown once):',
    '',
    `  AWS_ENDPOINT_URL_DYNAMODB=${server.dynamoDbEndpoint} DCR_IAT_TABLE_NAME=${server.initialAccessTokenTableName} \\`,
    '    npm run admin -- iat create --subject me --uses 5 --expires-in 1d',
    ...localFetchWarning(environment),
  );
  return lines.join('\n');
}

function formatValue(value: unknown): string {
  return Array.isArray(value) ? JSON.stringify(value.join(' ')) : String(value);
}

main().catch((error) => {
  console.error(`could not start: ${(error as Error).message}`);
  process.exit(1);
});
