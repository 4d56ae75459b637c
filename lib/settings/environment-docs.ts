import { LOG_LEVELS } from '../log.js';
import type { EnvironmentKey } from './environment.js';

// The prose of the environment catalogue (environment.ts): what each variable means, who sets it and
// what its absence means, for docs/settings.md (a test holds that table to this one). Kept apart from
// the names and parsers because every function loads those at its cold start and shows none of this;
// only the docs tests and tooling import it. The type asks for one entry per variable, no more, no less.

/** Who puts the variable in the function's environment. */
export type SetBy = 'stack' | 'stack (from context)' | 'local server' | 'operator';

export interface EnvironmentVariableDoc {
  readonly meaning: string;
  readonly setBy: readonly SetBy[];
  /** What an unset variable means, in words. */
  readonly whenUnset: string;
}

export const ENVIRONMENT_DOCS: { readonly [K in EnvironmentKey]: EnvironmentVariableDoc } = {
  tableName: {
    meaning: 'DynamoDB table of the registered clients (and the cap counters)',
    setBy: ['stack', 'local server'],
    whenUnset: 'registration is inactive: every route answers 503',
  },
  ssmPrefix: {
    meaning: 'SSM path of the settings, e.g. /dcr/prod/; read in one GetParameters call',
    setBy: ['stack'],
    whenUnset: 'the settings come from their DCR_* variables instead (local mode)',
  },
  settingsTtlSeconds: {
    meaning: 'how long a function keeps the SSM settings before it reads them again',
    setBy: ['stack (from context)'],
    whenUnset: '15',
  },
  secretKeyId: {
    meaning: 'KMS key that seals the client secrets that must stay recoverable (client_secret_jwt, HS* algorithms)',
    setBy: ['stack'],
    whenUnset: 'DCR_LOCAL_SECRET_KEY is used; with neither, such clients are refused with a 503',
  },
  localSecretKey: {
    meaning: 'local mode: AES-256-GCM key (base64url) in place of KMS',
    setBy: ['local server'],
    whenUnset: 'the local server makes one (kept in DCR_LOCAL_DATA_DIR when set)',
  },
  publicBaseUrl: {
    meaning: 'absolute base of registration_client_uri (a custom domain)',
    setBy: ['stack (from context)', 'local server'],
    whenUnset: "each request's own host and stage",
  },
  iatIssuer: {
    meaning: 'issuer of initial access tokens that are JWTs; also checked on introspection answers',
    setBy: ['stack (from context)', 'local server'],
    whenUnset: 'JWTs are not accepted (the local server starts a development issuer)',
  },
  iatJwksUri: {
    meaning: "the issuer's JWKS URI (https); goes with DCR_IAT_ISSUER",
    setBy: ['stack (from context)', 'local server'],
    whenUnset: 'JWTs are not accepted',
  },
  iatAudience: {
    meaning: 'the aud an initial access token must carry (JWT or introspection answer)',
    setBy: ['stack (from context)', 'operator'],
    whenUnset: 'aud is not checked',
  },
  iatIntrospectionUrl: {
    meaning: 'RFC 7662 introspection endpoint for opaque initial access tokens (https)',
    setBy: ['stack (from context)', 'operator'],
    whenUnset: 'opaque tokens of an authorization server are not accepted',
  },
  iatIntrospectionClientId: {
    meaning: "this service's client id at the introspection endpoint",
    setBy: ['stack (from context)', 'operator'],
    whenUnset: 'needed with DCR_IAT_INTROSPECTION_URL',
  },
  iatIntrospectionClientSecret: {
    meaning: 'local mode: the introspection client secret itself',
    setBy: ['operator'],
    whenUnset: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER names it instead',
  },
  iatIntrospectionClientSecretParameter: {
    meaning: 'SSM SecureString holding the introspection client secret (read on first use)',
    setBy: ['stack (from context)'],
    whenUnset: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET holds it instead',
  },
  iatIntrospectionCacheSeconds: {
    meaning: 'how long a positive introspection answer is reused',
    setBy: ['stack (from context)', 'operator'],
    whenUnset: '60',
  },
  iatTableName: {
    meaning: 'DynamoDB table of the initial access tokens this service issues (npm run admin -- iat)',
    setBy: ['stack', 'local server'],
    whenUnset: 'tokens of this service are not accepted',
  },
  eventBusName: {
    meaning: 'the lifecycle events function: EventBridge bus (name or ARN) of the client lifecycle events',
    setBy: ['stack (from context)'],
    whenUnset: "the account's default event bus",
  },
  registrationPoliciesFile: {
    meaning: 'local mode: a file holding the registration policies document (instead of DCR_REGISTRATION_POLICIES)',
    setBy: ['operator'],
    whenUnset: 'DCR_REGISTRATION_POLICIES, else no policies',
  },
  logLevel: {
    meaning: `lowest level written to the logs: ${LOG_LEVELS.join(', ')}`,
    setBy: ['operator'],
    whenUnset: 'info',
  },
  stage: {
    meaning: 'the deployment stage (dev, prod, ...): a dimension of the metrics',
    setBy: ['stack'],
    whenUnset: 'local',
  },
  localDataDir: {
    meaning: 'local mode: folder that keeps the embedded DynamoDB data and the local secret key across restarts',
    setBy: ['operator'],
    whenUnset: 'in memory; gone when the server stops',
  },
  host: {
    meaning: 'local mode: the address the server listens on',
    setBy: ['operator'],
    whenUnset: '127.0.0.1',
  },
  port: {
    meaning: 'local mode: the port the server listens on',
    setBy: ['operator'],
    whenUnset: '3000',
  },
  localFetchHosts: {
    meaning:
      'LOCAL DEVELOPMENT ONLY: hosts (space-separated, e.g. 127.0.0.1 localhost) the document fetcher may reach although they are not public, to serve a sector_identifier_uri, jwks_uri or Client ID Metadata Document locally; refused when DCR_SSM_PREFIX is set (AWS)',
    setBy: ['operator'],
    whenUnset: 'public addresses only',
  },
  localFetchCaFile: {
    meaning:
      'LOCAL DEVELOPMENT ONLY: PEM file of a certificate authority the document fetcher trusts besides the default ones; refused when DCR_SSM_PREFIX is set (AWS)',
    setBy: ['operator'],
    whenUnset: 'the default certificate authorities only',
  },
  dynamoDbEndpoint: {
    meaning: 'local mode: another DynamoDB (LocalStack, DynamoDB Local) instead of the embedded one; the AWS SDK reads it too',
    setBy: ['operator'],
    whenUnset: 'the local server starts an embedded DynamoDB',
  },
};
