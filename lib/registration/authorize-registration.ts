import { missingToken, temporarilyUnavailable } from '../errors.js';
import { bearerToken } from '../http/authorization.js';
import type { HttpRequest } from '../http/types.js';
import type { Settings } from '../settings/catalog.js';
import { requireOneScope, type VerifiedAccessToken } from '../tokens/initial-access-token.js';
import type { RegistrationDependencies } from './dependencies.js';

/**
 * "Require Initial Access Token": the POST must carry a bearer token holding the required scope (or one
 * of the scope group): a JWT of the authorization server, an opaque token it confirms by introspection,
 * or a token issued by this service (lib/tokens/composite-verifier.ts routes each to its check).
 * Returns the verified token, or undefined for an anonymous registration when no token is required.
 */
export async function authorizeRegistration(
  request: HttpRequest,
  settings: Settings,
  deps: RegistrationDependencies,
): Promise<VerifiedAccessToken | undefined> {
  if (!settings.requireInitialAccessToken) return undefined;
  const token = bearerToken(request);
  if (token === undefined) throw missingToken('an initial access token is required (Authorization: Bearer <token>)');
  if (!deps.initialAccessTokens) {
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
