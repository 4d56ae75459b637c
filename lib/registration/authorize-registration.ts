import { invalidToken, missingToken, temporarilyUnavailable } from '../errors.js';
import { bearerToken } from '../http/authorization.js';
import type { HttpRequest } from '../http/types.js';
import { countMetric } from '../metrics.js';
import type { Settings } from '../settings/catalog.js';
import type { VerifiedAccessToken } from '../tokens/initial-access-token.js';
import { requireOneScope } from '../tokens/required-scope.js';
import type { RegistrationDependencies } from './dependencies.js';

/**
 * "Require Initial Access Token": the POST must carry a bearer token holding the required scope (or one
 * of the scope group): a JWT of the authorization server, an opaque token it confirms by introspection,
 * or a token issued by this service (lib/tokens/composite-verifier.ts routes each to its check).
 *
 * With the setting off, a request without a token registers anonymously, but a token that is sent is
 * checked all the same (RFC 6750 §3.1: an invalid one gets 401 invalid_token, one without the scope
 * 403): a valid one registers under the authenticated policy lists, so a deployment can restrict
 * anonymous registration more than registration with a token. A token that cannot be checked (no
 * form is configured) is not accepted either.
 * Returns the verified token, or undefined for an anonymous registration.
 */
export async function authorizeRegistration(
  request: HttpRequest,
  settings: Settings,
  deps: RegistrationDependencies,
): Promise<VerifiedAccessToken | undefined> {
  try {
    return await checkedToken(request, settings, deps);
  } catch (error) {
    // missing, refused, short of scope, or not checkable: a spike means an attack or a broken issuer
    countMetric('InitialAccessTokenFailures');
    throw error;
  }
}

async function checkedToken(
  request: HttpRequest,
  settings: Settings,
  deps: RegistrationDependencies,
): Promise<VerifiedAccessToken | undefined> {
  const token = bearerToken(request);
  if (token === undefined) {
    if (!settings.requireInitialAccessToken) return undefined;
    throw missingToken('an initial access token is required (Authorization: Bearer <token>)');
  }
  if (!deps.initialAccessTokens) {
    if (!settings.requireInitialAccessToken) {
      throw invalidToken('this server does not accept initial access tokens; none is required, so send the request without one');
    }
    throw temporarilyUnavailable(
      'initial access tokens are required, but no way to check them is configured: JWTs of an issuer (DCR_IAT_ISSUER, ' +
        'DCR_IAT_JWKS_URI), token introspection (DCR_IAT_INTROSPECTION_URL, DCR_IAT_INTROSPECTION_CLIENT_ID and its secret), ' +
        'or tokens issued by this service (DCR_IAT_TABLE_NAME)',
      300,
    );
  }
  const verified = await deps.initialAccessTokens.verify(token);
  requireOneScope(verified, settings.initialAccessTokenScopes);
  return verified;
}
