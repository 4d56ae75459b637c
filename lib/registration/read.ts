import type { HttpRequest, HttpResponse } from '../http/types.js';
import { hashSecret, matchesHash, newSecret } from '../tokens/secrets.js';
import { clientInformation } from './client-information.js';
import { rewriteCredentials, secretToShow } from './credentials.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken, wrongTokenOrClient } from './guards.js';

// Most clients with a secret have an ordinary (hash-only) one: rotating on that assumption costs one request.
const USUAL_SECRET = { hasSecret: true, recoverable: false } as const;

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

  const newToken = settings.rotateRegistrationAccessToken ? newSecret(deps.random) : undefined;
  const { record, clientSecret } = await rewriteCredentials(deps, store, {
    clientId,
    token,
    newTokenHash: newToken && hashSecret(newToken),
    rotateSecret: settings.rotateClientSecret,
    target: (current) => current,
    expected: settings.rotateClientSecret ? USUAL_SECRET : undefined,
  });
  return clientInformation(200, record, { clientSecret, registrationAccessToken: newToken ?? token }, request.baseUrl);
}
