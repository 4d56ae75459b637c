import { accessDenied, invalidToken, missingToken, notFound, temporarilyUnavailable } from '../errors.js';
import { bearerToken } from '../http/authorization.js';
import type { HttpRequest } from '../http/types.js';
import type { Settings } from '../settings/catalog.js';
import { isClientIdShape } from '../tokens/secrets.js';
import type { ClientStore } from './client.js';
import type { RegistrationDependencies } from './dependencies.js';

// Steps every use case starts with, in this order: is the feature on, is there a datastore, who is calling.

export async function registrationSettings(deps: RegistrationDependencies): Promise<Settings> {
  const settings = await deps.settings.current();
  if (!settings.registrationEnabled) throw notFound();
  return settings;
}

export async function managementSettings(deps: RegistrationDependencies): Promise<Settings> {
  const settings = await registrationSettings(deps);
  if (!settings.managementEnabled) throw notFound();
  return settings;
}

export function clientStore(deps: RegistrationDependencies): ClientStore {
  if (!deps.store) {
    throw temporarilyUnavailable(
      'dynamic client registration is inactive: no external client datastore is configured (DCR_TABLE_NAME)',
      300,
    );
  }
  return deps.store;
}

/** RFC 7592 §2: management requests carry the registration access token as a bearer token. */
export function registrationAccessToken(request: HttpRequest): string {
  const token = bearerToken(request);
  if (token === undefined) throw missingToken('a registration access token is required (Authorization: Bearer <token>)');
  return token;
}

/**
 * The client id of the path. An id that cannot be one this service issued (too long for a DynamoDB
 * key, another alphabet, a percent-escape left undecoded) gets the answer of an unknown client,
 * without a datastore request.
 */
export function pathClientId(request: HttpRequest): string {
  const clientId = request.pathParameters.clientId;
  if (typeof clientId !== 'string' || !isClientIdShape(clientId)) throw wrongTokenOrClient();
  return clientId;
}

/** Wrong token and unknown client get the same answer, so a caller cannot probe for client ids. */
export function wrongTokenOrClient() {
  return invalidToken('the registration access token is not valid for this client');
}

/**
 * A client an operator disabled (npm run admin -- clients disable): its management calls are refused,
 * to a caller who holds its registration access token, until an operator enables it again.
 */
export function disabledClient() {
  return accessDenied(
    'this client is disabled by the operator of this server: it cannot be read, updated or deleted until it is enabled again',
  );
}
