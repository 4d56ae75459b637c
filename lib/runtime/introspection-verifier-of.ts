import type { Environment } from '../settings/environment.js';
import { SsmSecureString } from '../settings/ssm-secure-string.js';
import { createDocumentClient } from '../store/dynamodb-client-store.js';
import { IntrospectionInitialAccessTokenVerifier } from '../tokens/introspection-verifier.js';
import { staticSecret } from '../tokens/secret-source.js';
import type { InitialAccessTokenOptions } from './initial-access-tokens.js';
import { ssmReaderOf } from './ssm-reader-of.js';

/**
 * The introspection form of initial access tokens, built from a configuration that
 * initial-access-token-forms.ts has checked; loaded by the first opaque token (initial-access-tokens.ts).
 */
export function introspectionOf(environment: Environment, options: InitialAccessTokenOptions): IntrospectionInitialAccessTokenVerifier {
  const {
    iatIntrospectionUrl: endpoint,
    iatIntrospectionClientId: clientId,
    iatIntrospectionClientSecret: secret,
    iatIntrospectionClientSecretParameter: secretParameter,
    iatIntrospectionCacheSeconds: cacheSeconds,
  } = environment;
  const clientSecret = secret
    ? staticSecret(secret)
    : new SsmSecureString({
        name: secretParameter!,
        label: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER',
        reader: options.ssm ?? ssmReaderOf(options.documents ?? createDocumentClient(options.dynamoDb)),
      });
  return new IntrospectionInitialAccessTokenVerifier({
    endpoint: endpoint!,
    clientId: clientId!,
    clientSecret,
    issuer: environment.iatIssuer,
    audience: environment.iatAudience,
    cacheSeconds,
  });
}
