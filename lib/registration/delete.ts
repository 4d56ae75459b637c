import { methodNotAllowed } from '../errors.js';
import { noContent } from '../http/responses.js';
import type { HttpRequest, UseCaseAnswer } from '../http/types.js';
import { log } from '../log.js';
import { givePlacesBackOnFirstUse } from '../policies/caps-on-first-use.js';
import { hashSecret } from '../tokens/secrets.js';
import { clientChanges } from './changed-fields.js';
import { type ClientRecord, type ClientStore, GuardFailedError } from './client.js';
import { presenterOf } from './credentials.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken, wrongTokenOrClient } from './guards.js';
import { toSeconds } from './lifecycle.js';

/**
 * DELETE /as/clients.oauth2/{clientId} (RFC 7592 §2.3): one DeleteItem guarded by the token hash;
 * the item holds the secret and token hashes, so they go with it. A client that holds places in the
 * client caps (the deleted item says which) gives them back: one more write per counter.
 */
export async function deleteClient(deps: RegistrationDependencies, request: HttpRequest): Promise<UseCaseAnswer> {
  const settings = await managementSettings(deps);
  if (!settings.allowClientDelete) throw methodNotAllowed('GET, PUT');
  const store = clientStore(deps);
  const token = registrationAccessToken(request);
  const clientId = pathClientId(request);
  let deleted: ClientRecord | undefined;
  try {
    deleted = await store.delete(clientId, { registrationTokenHash: hashSecret(token) });
  } catch (error) {
    if (!(error instanceof GuardFailedError)) throw error;
    deleted = await deleteAsPrevious(deps, store, clientId, token);
  }
  // the client is gone either way: a place that cannot be given back is logged, and the answer stays 204
  if (deleted === undefined) {
    log('warn', 'a client was deleted but the answer was lost: cap places it held, if any, were not given back', {
      clientId,
    });
  } else if (deleted.quotaCounters?.length) await givePlacesBackOnFirstUse(deps.quota, deleted.quotaCounters);
  return {
    ...noContent(),
    // a delete whose answer was lost leaves no record of what the client held: who and what are unknown
    audit: {
      operation: 'delete',
      clientId,
      who: deleted ? (deleted.registeredBy ?? 'anonymous') : 'unknown',
      changed: deleted && clientChanges(deleted, undefined),
    },
  };
}

/**
 * The guard failed: one read says why (401 wrong token or client, 403 disabled). The previous token
 * within its grace may delete too, guarded by the current token and the version it read.
 */
async function deleteAsPrevious(
  deps: RegistrationDependencies,
  store: ClientStore,
  clientId: string,
  token: string,
): Promise<ClientRecord | undefined> {
  const current = await store.find(clientId);
  const { held } = presenterOf(current, token, toSeconds(deps.now()));
  if (!held) throw wrongTokenOrClient();
  try {
    return await store.delete(clientId, { registrationTokenHash: current!.registrationTokenHash!, version: current!.version });
  } catch (error) {
    if (error instanceof GuardFailedError) throw wrongTokenOrClient();
    throw error;
  }
}
