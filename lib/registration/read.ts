import type { HttpRequest, HttpResponse } from '../http/types.js';
import { GuardFailedError, type ClientRecord } from '../store/client-store.js';
import { hashSecret, matchesHash, newSecret } from '../tokens/secrets.js';
import { clientInformation } from './client-information.js';
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
    return clientInformation(200, record, { registrationAccessToken: token }, request.baseUrl);
  }

  const newToken = settings.rotateRegistrationAccessToken ? newSecret(deps.random) : undefined;
  const rotated = (record: ClientRecord, clientSecret?: string) =>
    clientInformation(200, record, { clientSecret, registrationAccessToken: newToken ?? token }, request.baseUrl);
  const change = { registrationTokenHash: newToken && hashSecret(newToken), updatedAt: Math.floor(deps.now() / 1000) };
  const guard = { registrationTokenHash: hashSecret(token) };

  if (settings.rotateClientSecret) {
    const clientSecret = newSecret(deps.random);
    try {
      const record = await store.update(clientId, { ...change, secret: { kind: 'replace', hash: hashSecret(clientSecret) } }, { ...guard, hasSecret: true });
      return rotated(record, clientSecret);
    } catch (error) {
      if (!(error instanceof GuardFailedError)) throw error;
    }
    // The guard failed: a wrong token, an unknown client, or a client without a secret. Only the
    // last may go on, so this path (never taken by a client that has a secret) costs one more read.
    const record = await store.find(clientId);
    if (!record || !matchesHash(token, record.registrationTokenHash)) throw wrongTokenOrClient();
    if (!newToken) return rotated(record);
  }
  try {
    const record = await store.update(clientId, { ...change, secret: { kind: 'keep' } }, { ...guard, hasSecret: settings.rotateClientSecret ? false : undefined });
    return rotated(record);
  } catch (error) {
    if (error instanceof GuardFailedError) throw wrongTokenOrClient();
    throw error;
  }
}
