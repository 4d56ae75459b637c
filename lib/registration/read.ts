import type { HttpRequest, HttpResponse } from '../http/types.js';
import { matchesHash } from '../tokens/secrets.js';
import { clientInformation } from './client-information.js';
import { hintedKind, rewriteCredentials, secretToShow } from './credentials.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken, wrongTokenOrClient } from './guards.js';

/**
 * GET /as/clients.oauth2/{clientId} (RFC 7592 §2.1). Without rotation: one GetItem and a
 * constant-time hash compare. With rotation: one UpdateItem guarded by the token hash, which checks
 * the token and writes the new credentials at once.
 */
export async function read(deps: RegistrationDependencies, request: HttpRequest): Promise<HttpResponse> {
  const settings = await managementSettings(deps);
  const store = clientStore(deps);
  const token = registrationAccessToken(request);
  const clientId = pathClientId(request);

  if (!settings.rotateClientSecret && !settings.rotateRegistrationAccessToken) {
    const record = await store.find(clientId);
    if (!record || !matchesHash(token, record.registrationTokenHash)) throw wrongTokenOrClient();
    const clientSecret = await secretToShow(deps, record);
    return clientInformation(200, record, { clientSecret, registrationAccessToken: token }, request.baseUrl);
  }

  const {
    record,
    clientSecret,
    registrationAccessToken: issuedToken,
  } = await rewriteCredentials(deps, store, {
    clientId,
    token,
    rotateToken: settings.rotateRegistrationAccessToken,
    rotateSecret: settings.rotateClientSecret,
    target: (current) => current,
    // the token's hint names the client's kind of secret, so the guarded write is usually right first time
    expected: hintedKind(token),
    guardKind: settings.rotateClientSecret,
  });
  return clientInformation(200, record, { clientSecret, registrationAccessToken: issuedToken }, request.baseUrl);
}
