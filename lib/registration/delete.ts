import { methodNotAllowed } from '../errors.js';
import { noContent } from '../http/responses.js';
import type { HttpRequest, HttpResponse } from '../http/types.js';
import { GuardFailedError } from '../store/client-store.js';
import { hashSecret } from '../tokens/secrets.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken, wrongTokenOrClient } from './guards.js';

/**
 * DELETE /as/clients.oauth2/{clientId} (RFC 7592 §2.3): one DeleteItem guarded by the token hash;
 * the item holds the secret and token hashes, so they go with it.
 */
export async function deleteClient(deps: RegistrationDependencies, request: HttpRequest): Promise<HttpResponse> {
  const settings = await managementSettings(deps);
  if (!settings.allowClientDelete) throw methodNotAllowed('GET, PUT');
  const store = clientStore(deps);
  const token = registrationAccessToken(request);
  try {
    await store.delete(pathClientId(request), { registrationTokenHash: hashSecret(token) });
  } catch (error) {
    if (error instanceof GuardFailedError) throw wrongTokenOrClient();
    throw error;
  }
  return noContent();
}
