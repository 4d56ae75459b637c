import { readJsonObject } from '../http/body.js';
import { log } from '../http/log.js';
import type { HttpRequest, HttpResponse } from '../http/types.js';
import { secretStateOf } from '../metadata/client-secret.js';
import { validateMetadata } from '../metadata/validate.js';
import type { ClientRecord } from '../store/client-store.js';
import { hashSecret, newClientId, newSecret } from '../tokens/secrets.js';
import { authorizeRegistration } from './authorize-registration.js';
import { issueSecret } from './credentials.js';
import { clientInformation } from './client-information.js';
import type { RegistrationDependencies } from './dependencies.js';
import { metadataContext } from './metadata-context.js';
import { clientStore, registrationSettings } from './guards.js';

/** POST /as/clients.oauth2 (RFC 7591 §3). */
export async function register(deps: RegistrationDependencies, request: HttpRequest): Promise<HttpResponse> {
  const settings = await registrationSettings(deps);
  const store = clientStore(deps);
  const caller = await authorizeRegistration(request, settings, deps);
  // client_id and client_secret in the body are ignored: the server always generates both
  const metadata = await validateMetadata(readJsonObject(request), metadataContext(settings, deps));

  const issuedAt = Math.floor(deps.now() / 1000);
  const clientId = newClientId(deps.random);
  const secretKind = secretStateOf(metadata);
  const secret = secretKind.hasSecret ? await issueSecret(deps, clientId, secretKind.recoverable) : undefined;
  const registrationAccessToken = settings.managementEnabled ? newSecret(deps.random) : undefined;
  const record: ClientRecord = {
    clientId,
    issuedAt,
    metadata,
    secretHash: secret?.change.hash,
    secretSealed: secret?.change.sealed,
    secretExpiresAt: secret && 0,
    registrationTokenHash: registrationAccessToken && hashSecret(registrationAccessToken),
    version: 1,
    updatedAt: issuedAt,
  };
  await caller?.consume?.();
  try {
    await store.create(record);
  } catch (error) {
    // the use goes back; if even that fails, the token lost one use, which is logged, not hidden
    await caller?.restore?.().catch((restoreError: Error) =>
      log('error', 'an initial access token use could not be given back', { error: restoreError.name, message: restoreError.message }),
    );
    throw error;
  }
  return clientInformation(201, record, { clientSecret: secret?.clientSecret, registrationAccessToken }, request.baseUrl);
}
