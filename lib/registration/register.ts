import { readJsonObject } from '../http/body.js';
import type { HttpRequest, UseCaseAnswer } from '../http/types.js';
import { log } from '../log.js';
import { secretStateOf } from '../metadata/client-secret.js';
import { validateMetadata } from '../metadata/validate.js';
import { capsOnFirstUse } from '../policies/caps-on-first-use.js';
import { applyPolicies, policiesInForce, registrationLists, withSoftwareStatement } from '../policies/pipeline.js';
import { inRecovery } from '../time-budget.js';
import { hashSecret, newClientId } from '../tokens/secrets.js';
import { authorizeRegistration } from './authorize-registration.js';
import { clientChanges } from './changed-fields.js';
import type { ClientRecord } from './client.js';
import { clientInformation } from './client-information.js';
import { issueSecret, newRegistrationAccessToken } from './credentials.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, registrationSettings } from './guards.js';
import { idleExpiry, secretExpiry } from './lifecycle.js';
import { metadataContext } from './metadata-context.js';

/**
 * POST /as/clients.oauth2 (RFC 7591 §3): the registration policies run on the body, then validation;
 * only an accepted client takes its places in the caps and a use of its initial access token, and
 * both go back if the client cannot be stored.
 */
export async function register(deps: RegistrationDependencies, request: HttpRequest): Promise<UseCaseAnswer> {
  const settings = await registrationSettings(deps);
  const store = clientStore(deps);
  const caller = await authorizeRegistration(request, settings, deps);
  const policies = await policiesInForce(settings.registrationPolicies);
  const lists = registrationLists(policies, caller);
  // the caps are part of the policies: with none configured, nothing is counted
  const caps = policies.active ? await capsOnFirstUse() : undefined;
  const counters = caps ? caps.countersFor(policies.caps, caller) : [];
  // client_id and client_secret in the body are ignored: the server always generates both
  const { body, softwareStatement } = await applyPolicies(policies, lists, readJsonObject(request));
  const metadata = withSoftwareStatement(await validateMetadata(body, metadataContext(settings, deps)), softwareStatement);

  const issuedAt = Math.floor(deps.now() / 1000);
  const clientId = newClientId(deps.random);
  const secretKind = secretStateOf(metadata);
  const secret = secretKind.hasSecret ? await issueSecret(deps, clientId, secretKind.recoverable) : undefined;
  const registrationAccessToken = settings.managementEnabled ? newRegistrationAccessToken(secretKind, deps.random) : undefined;
  const heldCounters = counters.map((counter) => counter.key);
  const record: ClientRecord = {
    clientId,
    issuedAt,
    metadata,
    secretHash: secret?.change.hash,
    secretSealed: secret?.change.sealed,
    secretExpiresAt: secret && secretExpiry(settings, issuedAt),
    registrationTokenHash: registrationAccessToken && hashSecret(registrationAccessToken),
    version: 1,
    updatedAt: issuedAt,
    // kept only while policies are configured, so an unconfigured service stores exactly what it did before
    policyLists: policies.active ? lists : undefined,
    // who registered it: the lifecycle events and the admin tool's filter name it
    registeredBy: caller?.subject,
    quotaCounters: heldCounters,
    idleExpiresAt: idleExpiry(settings, issuedAt),
    lastRequestId: request.requestId,
  };
  await caps?.takePlaces(deps.quota, counters);
  try {
    await caller?.consume?.();
  } catch (error) {
    await caps?.givePlacesBack(deps.quota, heldCounters);
    throw error;
  }
  try {
    await store.create(record);
  } catch (error) {
    // the use and the places go back, in the recovery time a request has past its deadline
    // (lib/time-budget.ts); if that fails too, it is logged, not hidden
    await inRecovery(async () => {
      await caller
        ?.restore?.()
        .catch((restoreError: Error) =>
          log('error', 'an initial access token use could not be given back', { error: restoreError.name, reason: restoreError.message }),
        );
      await caps?.givePlacesBack(deps.quota, heldCounters);
    });
    throw error;
  }
  return {
    ...clientInformation(201, record, { clientSecret: secret?.clientSecret, registrationAccessToken }, request.baseUrl),
    audit: { operation: 'register', clientId, who: caller?.subject ?? 'anonymous', changed: clientChanges(undefined, record) },
  };
}
