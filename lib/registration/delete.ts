import { methodNotAllowed } from '../errors.js';
import { noContent } from '../http/responses.js';
import type { HttpRequest, HttpResponse } from '../http/types.js';
import { givePlacesBack } from '../policies/caps.js';
import { hashSecret } from '../tokens/secrets.js';
import { type ClientRecord, GuardFailedError } from './client.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken, wrongTokenOrClient } from './guards.js';

/**
 * DELETE /as/clients.oauth2/{clientId} (RFC 7592 §2.3): one DeleteItem guarded by the token hash;
 * the item holds the secret and token hashes, so they go with it. A client that holds places in the
 * client caps (the deleted item says which) gives them back: one more write per counter.
 */
export async function deleteClient(deps: RegistrationDependencies, request: HttpRequest): Promise<HttpResponse> {
  const settings = await managementSettings(deps);
  if (!settings.allowClientDelete) throw methodNotAllowed('GET, PUT');
  const store = clientStore(deps);
  const token = registrationAccessToken(request);
  let deleted: ClientRecord;
  try {
    deleted = await store.delete(pathClientId(request), { registrationTokenHash: hashSecret(token) });
  } catch (error) {
    if (error instanceof GuardFailedError) throw wrongTokenOrClient();
    throw error;
  }
  // the client is gone either way: a place that cannot be given back is logged, and the answer stays 204
  if (deleted.quotaCounters?.length) await givePlacesBack(deps.quota, deleted.quotaCounters);
  return noContent();
}
