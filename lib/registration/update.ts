import { invalidRequest } from '../errors.js';
import { readJsonObject } from '../http/body.js';
import type { HttpRequest, UseCaseAnswer } from '../http/types.js';
import { secretStateOf } from '../metadata/client-secret.js';
import { requestsOutsideFetch } from '../metadata/sector-identifier.js';
import { validateMetadata } from '../metadata/validate.js';
import { applyPolicies, policiesInForce, updateLists, withSoftwareStatement } from '../policies/pipeline.js';
import type { PolicyRequest } from '../policies/policy.js';
import type { Settings } from '../settings/catalog.js';
import { clientChanges } from './changed-fields.js';
import type { ClientStore } from './client.js';
import { clientInformation } from './client-information.js';
import { presenterOf, requestDigest, rewriteCredentials } from './credentials.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken } from './guards.js';
import { toSeconds } from './lifecycle.js';
import { metadataContext } from './metadata-context.js';

// RFC 7592 §2.2: values the server assigns; a client must not send them back.
const SERVER_ASSIGNED = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'];

/**
 * PUT /as/clients.oauth2/{clientId} (RFC 7592 §2.2): a full replacement. The new metadata is
 * validated like a registration; one UpdateItem, guarded by the token hash (and by the secret hash
 * when the body carries client_secret), replaces it and the rotated credentials. While registration
 * policies are configured, the client's policy lists run again first, which costs one GetItem more.
 */
export async function update(deps: RegistrationDependencies, request: HttpRequest): Promise<UseCaseAnswer> {
  const settings = await managementSettings(deps);
  const store = clientStore(deps);
  const token = registrationAccessToken(request);
  const clientId = pathClientId(request);
  const body = readJsonObject(request);
  const presentedSecret = checkIdentity(body, clientId);
  const { body: adjusted, softwareStatement } = await updatePolicies(store, settings, { clientId, token, body, now: deps.now() });
  const metadata = withSoftwareStatement(await validateMetadata(adjusted, metadataContext(settings, deps)), softwareStatement);

  const target = secretStateOf(metadata);
  const {
    wrote,
    previous,
    record,
    clientSecret,
    registrationAccessToken: issuedToken,
  } = await rewriteCredentials(deps, store, {
    clientId,
    token,
    rotateToken: settings.rotateRegistrationAccessToken,
    metadata,
    presentedSecret,
    rotateSecret: settings.rotateClientSecret,
    target: () => target,
    // most updates keep the client's kind of secret
    expected: target,
    guardKind: true,
    settings,
    requestId: request.requestId,
    request: requestDigest(request.method, request.body),
  });
  return {
    ...clientInformation(200, record, { clientSecret, registrationAccessToken: issuedToken }, request.baseUrl),
    // a repeat answered from held credentials wrote nothing: no audit
    audit: wrote && {
      operation: 'update',
      clientId,
      who: record.registeredBy ?? 'anonymous',
      changed: previous && clientChanges(previous, record),
    },
  };
}

/**
 * The lists the client was registered under are on its item, so they are read first. The token is
 * checked on that read, so a caller without it never runs a policy, nor makes the service fetch
 * anything (a software statement's keys, a sector_identifier_uri): that read also happens, for that
 * reason alone, when the body names a sector_identifier_uri.
 */
async function updatePolicies(
  store: ClientStore,
  settings: Settings,
  update: { clientId: string; token: string; body: Record<string, unknown>; now: number },
): Promise<PolicyRequest> {
  const policies = await policiesInForce(settings.registrationPolicies);
  if (!policies.active && !requestsOutsideFetch(update.body)) return { body: update.body };
  const current = await store.find(update.clientId);
  presenterOf(current, update.token, toSeconds(update.now));
  return policies.active
    ? applyPolicies(policies, updateLists(current!.policyLists, settings.requireInitialAccessToken), update.body)
    : { body: update.body };
}

/** client_id must be present and match the path; client_secret, when present, is checked by the write guard. */
function checkIdentity(body: Record<string, unknown>, clientId: string): string | undefined {
  const forbidden = SERVER_ASSIGNED.filter((field) => Object.hasOwn(body, field));
  if (forbidden.length)
    throw invalidRequest(
      `${forbidden.join(', ')} must not be sent in an update: the server assigns ${forbidden.length > 1 ? 'them' : 'it'}`,
    );
  if (body.client_id === undefined) throw invalidRequest('client_id is required in an update');
  if (body.client_id !== clientId) throw invalidRequest('client_id does not match the client of this registration_client_uri');
  const secret = body.client_secret;
  if (secret !== undefined && typeof secret !== 'string') throw invalidRequest('client_secret must be a string');
  return secret;
}
