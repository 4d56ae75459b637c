import type { Environment } from '../settings/environment.js';

// Which forms of initial access token the environment configures, checked when the runtime is built,
// before any verifier is (initial-access-tokens.ts builds them, some on their first token).

/** The forms configured; lib/tokens/composite-verifier.ts routes each token to its form. */
export interface InitialAccessTokenForms {
  readonly jwt: boolean;
  readonly introspection: boolean;
  readonly service: boolean;
}

/**
 * The forms the environment configures, undefined when none is (see initialAccessTokensOf). A
 * half-configured form is refused here, at load time, never half-used.
 */
export function initialAccessTokenForms(environment: Environment): InitialAccessTokenForms | undefined {
  const { iatIssuer: issuer, iatJwksUri: jwksUri } = environment;
  const introspection = introspectionConfigured(environment);
  if (jwksUri && !issuer)
    throw new Error('DCR_IAT_JWKS_URI needs DCR_IAT_ISSUER: set both to verify initial access tokens that are JWTs, or neither');
  if (issuer && !jwksUri && !introspection) {
    throw new Error(
      'DCR_IAT_ISSUER and DCR_IAT_JWKS_URI go together: set both to verify initial access tokens that are JWTs, or neither ' +
        '(DCR_IAT_ISSUER alone only serves to check the issuer of introspection answers, with DCR_IAT_INTROSPECTION_URL)',
    );
  }
  const forms = { jwt: Boolean(issuer && jwksUri), introspection, service: Boolean(environment.iatTableName) };
  return forms.jwt || forms.introspection || forms.service ? forms : undefined;
}

function introspectionConfigured(environment: Environment): boolean {
  const {
    iatIntrospectionUrl: endpoint,
    iatIntrospectionClientId: clientId,
    iatIntrospectionClientSecret: secret,
    iatIntrospectionClientSecretParameter: secretParameter,
    iatIntrospectionCacheSeconds: cacheSeconds,
  } = environment;
  if ([endpoint, clientId, secret, secretParameter, cacheSeconds].every((value) => value === undefined)) return false;
  const missing = [
    !endpoint && 'DCR_IAT_INTROSPECTION_URL',
    !clientId && 'DCR_IAT_INTROSPECTION_CLIENT_ID',
    !secret && !secretParameter && 'DCR_IAT_INTROSPECTION_CLIENT_SECRET (or DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER)',
  ].filter(Boolean);
  if (missing.length)
    throw new Error(`token introspection is half configured: set ${missing.join(', ')} as well, or none of DCR_IAT_INTROSPECTION_*`);
  if (secret && secretParameter) {
    throw new Error('set DCR_IAT_INTROSPECTION_CLIENT_SECRET (local) or DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER (SSM), not both');
  }
  return true;
}
