import { loadOnFirstUse } from '../load-on-first-use.js';
import { type Environment, readEnvironment } from '../settings/environment.js';
import type { SsmReader } from '../settings/ssm-reader.js';
import { createDocumentClient, type DocumentClientConfig } from '../store/dynamodb-client-store.js';
import type { DynamoDbDocuments } from '../store/dynamodb-documents.js';
import { DynamoDbInitialAccessTokenLedger } from '../store/dynamodb-initial-access-token-store.js';
import { composeInitialAccessTokenVerifiers } from '../tokens/composite-verifier.js';
import type { InitialAccessTokenVerifier } from '../tokens/initial-access-token.js';
import { ServiceInitialAccessTokenVerifier } from '../tokens/service-token-verifier.js';
import { initialAccessTokenForms } from './initial-access-token-forms.js';

// Only registration checks initial access tokens: this module is wired by functions/register.ts and
// by the all-routes runtime, never by the management routes' bundles.

export interface InitialAccessTokenOptions {
  /** DynamoDB client settings for the token table (local mode: the embedded endpoint). */
  readonly dynamoDb?: DocumentClientConfig;
  /** The container's DynamoDB client, shared with the client table (one connection pool); made from `dynamoDb` when absent. */
  readonly documents?: DynamoDbDocuments;
  /** SSM reader for the introspection secret parameter; on the DynamoDB client's pieces when absent (tests pass one of a local SSM). */
  readonly ssm?: SsmReader;
}

/**
 * Initial access tokens in any combination of three forms (lib/tokens/composite-verifier.ts routes each):
 * - JWTs of an issuer: DCR_IAT_ISSUER + DCR_IAT_JWKS_URI (+ DCR_IAT_AUDIENCE);
 * - opaque tokens by introspection: DCR_IAT_INTROSPECTION_URL + DCR_IAT_INTROSPECTION_CLIENT_ID + the
 *   client secret, from DCR_IAT_INTROSPECTION_CLIENT_SECRET (local) or the SSM SecureString named by
 *   DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER (AWS); DCR_IAT_INTROSPECTION_CACHE_SECONDS (default 60);
 *   DCR_IAT_ISSUER (alone is enough here) and DCR_IAT_AUDIENCE are checked on its answers;
 * - tokens issued by this service (`npm run admin -- iat create`): DCR_IAT_TABLE_NAME.
 * Undefined when none is configured. A half-configured form is refused here, at load time, never half-used
 * (initial-access-token-forms.ts checks it). Tokens are required by default and the stack always
 * configures tokens of this service, so that form is built now; the JWT and introspection forms, which
 * a deployment adds, are each loaded by the first token of their form (lib/load-on-first-use.ts).
 */
export function initialAccessTokensOf(
  environment: Environment,
  options: InitialAccessTokenOptions = {},
): InitialAccessTokenVerifier | undefined {
  const forms = initialAccessTokenForms(environment);
  if (!forms) return undefined;
  const { iatIssuer: issuer, iatJwksUri: jwksUri, iatAudience: audience } = environment;
  const tableName = environment.iatTableName;
  return composeInitialAccessTokenVerifiers({
    jwt: forms.jwt
      ? verifierOnFirstUse(
          async () =>
            new (await import('../tokens/initial-access-token.js')).JwtInitialAccessTokenVerifier({
              issuer: issuer!,
              jwksUri: jwksUri!,
              audience,
            }),
        )
      : undefined,
    introspection: forms.introspection
      ? verifierOnFirstUse(async () => (await import('./introspection-verifier-of.js')).introspectionOf(environment, options))
      : undefined,
    service: tableName
      ? new ServiceInitialAccessTokenVerifier(
          new DynamoDbInitialAccessTokenLedger(options.documents ?? createDocumentClient(options.dynamoDb), tableName),
        )
      : undefined,
  });
}

/** The same from raw variables (tests, tools). */
export function initialAccessTokensFromEnv(
  env: NodeJS.ProcessEnv,
  options: InitialAccessTokenOptions = {},
): InitialAccessTokenVerifier | undefined {
  return initialAccessTokensOf(readEnvironment(env), options);
}

function verifierOnFirstUse(load: () => Promise<InitialAccessTokenVerifier>): InitialAccessTokenVerifier {
  const verifier = loadOnFirstUse(load);
  return { verify: async (token) => (await verifier()).verify(token) };
}
