import { invalidRequest, temporarilyUnavailable } from '../errors.js';
import { readJsonObject } from '../http/body.js';
import type { HttpRequest, HttpResponse } from '../http/types.js';
import { requiresClientSecret } from '../metadata/client-secret.js';
import { validateMetadata } from '../metadata/validate.js';
import { GuardFailedError, type SecretChange } from '../store/client-store.js';
import { hashSecret, matchesHash, newSecret } from '../tokens/secrets.js';
import { clientInformation } from './client-information.js';
import type { RegistrationDependencies } from './dependencies.js';
import { metadataContext } from './metadata-context.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken, wrongTokenOrClient } from './guards.js';

// RFC 7592 §2.2: values the server assigns; a client must not send them back.
const SERVER_ASSIGNED = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'];

/**
 * PUT /as/clients.oauth2/{clientId} (RFC 7592 §2.2): a full replacement. The new metadata is
 * validated like a registration; one UpdateItem, guarded by the token hash (and by the secret hash
 * when the body carries client_secret), replaces it and the rotated credentials.
 */
export async function update(deps: RegistrationDependencies, request: HttpRequest): Promise<HttpResponse> {
  const settings = await managementSettings(deps);
  const store = clientStore(deps);
  const token = registrationAccessToken(request);
  const clientId = pathClientId(request);
  const body = readJsonObject(request);
  const presentedSecret = checkIdentity(body, clientId);
  const metadata = await validateMetadata(body, metadataContext(settings, deps));

  const newToken = settings.rotateRegistrationAccessToken ? newSecret(deps.random) : undefined;
  const candidateSecret = requiresClientSecret(metadata) ? newSecret(deps.random) : undefined;
  const secret: SecretChange =
    candidateSecret === undefined
      ? { kind: 'remove' }
      : settings.rotateClientSecret
        ? { kind: 'replace', hash: hashSecret(candidateSecret) }
        : { kind: 'keep-or-set', hash: hashSecret(candidateSecret) };
  const guard = {
    registrationTokenHash: hashSecret(token),
    secretHash: presentedSecret === undefined ? undefined : hashSecret(presentedSecret),
  };

  try {
    const record = await store.update(
      clientId,
      { metadata, secret, registrationTokenHash: newToken && hashSecret(newToken), updatedAt: Math.floor(deps.now() / 1000) },
      guard,
    );
    // keep-or-set kept the old hash when the client already had a secret: then nothing new to hand out
    const issued = candidateSecret !== undefined && record.secretHash === hashSecret(candidateSecret);
    return clientInformation(
      200,
      record,
      { clientSecret: issued ? candidateSecret : undefined, registrationAccessToken: newToken ?? token },
      request.baseUrl,
    );
  } catch (error) {
    if (!(error instanceof GuardFailedError)) throw error;
    // Say which guard failed; this read happens only on the way to an error.
    const current = await store.find(clientId);
    if (!current || !matchesHash(token, current.registrationTokenHash)) throw wrongTokenOrClient();
    if (presentedSecret !== undefined) throw invalidRequest('client_secret does not match the current client secret');
    throw temporarilyUnavailable('the client was changed by another request at the same time; retry', 1);
  }
}

/** client_id must be present and match the path; client_secret, when present, is checked by the write guard. */
function checkIdentity(body: Record<string, unknown>, clientId: string): string | undefined {
  const forbidden = SERVER_ASSIGNED.filter((field) => field in body);
  if (forbidden.length) throw invalidRequest(`${forbidden.join(', ')} must not be sent in an update: the server assigns ${forbidden.length > 1 ? 'them' : 'it'}`);
  if (body.client_id === undefined) throw invalidRequest('client_id is required in an update');
  if (body.client_id !== clientId) throw invalidRequest('client_id does not match the client of this registration_client_uri');
  const secret = body.client_secret;
  if (secret !== undefined && typeof secret !== 'string') throw invalidRequest('client_secret must be a string');
  return secret;
}
