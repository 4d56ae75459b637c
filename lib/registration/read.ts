import type { HttpRequest, UseCaseAnswer } from '../http/types.js';
import { clientChanges } from './changed-fields.js';
import { isSecretExpired } from './client.js';
import { clientInformation } from './client-information.js';
import { heldAnswer, hintedKind, presenterOf, requestDigest, rewriteCredentials, secretToShow, stateOf } from './credentials.js';
import type { RegistrationDependencies } from './dependencies.js';
import { clientStore, managementSettings, pathClientId, registrationAccessToken } from './guards.js';
import { recordClientUse, toSeconds } from './lifecycle.js';

/**
 * GET /as/clients.oauth2/{clientId} (RFC 7592 §2.1). Without rotation: one GetItem and a
 * constant-time hash compare (plus, once per refresh interval, the idle expiry's write; an expired
 * secret is replaced). With rotation: one UpdateItem guarded by the token hash, which checks the token
 * and writes the new credentials at once.
 */
export async function read(deps: RegistrationDependencies, request: HttpRequest): Promise<UseCaseAnswer> {
  const settings = await managementSettings(deps);
  const store = clientStore(deps);
  const token = registrationAccessToken(request);
  const clientId = pathClientId(request);
  const answer = (result: Awaited<ReturnType<typeof rewriteCredentials>>): UseCaseAnswer => {
    // a rotation (or an expired secret's renewal) is audited; a repeat answered from held credentials wrote nothing
    const changed = result.previous && clientChanges(result.previous, result.record);
    const audited = result.wrote && changed?.length !== 0;
    return {
      ...clientInformation(200, result.record, result, request.baseUrl),
      audit: audited ? { operation: 'rotate', clientId, who: result.record.registeredBy ?? 'anonymous', changed } : undefined,
    };
  };

  let renewSecret = false;
  let known: ReturnType<typeof stateOf> | undefined;
  if (!settings.rotateClientSecret && !settings.rotateRegistrationAccessToken) {
    const record = await store.find(clientId);
    const { held } = presenterOf(record, token, toSeconds(deps.now()));
    // without rotation a read changes nothing: the previous token's holder gets the current credentials
    if (held) return answer(await heldAnswer(deps, record!, held));
    renewSecret = isSecretExpired(record!.secretExpiresAt, toSeconds(deps.now()));
    if (!renewSecret) {
      await recordClientUse(store, settings, record!, deps.now());
      const clientSecret = await secretToShow(deps, record!);
      return clientInformation(200, record!, { clientSecret, registrationAccessToken: token }, request.baseUrl);
    }
    // the secret expired: replaced now, by the guarded write below
    known = stateOf(record!);
  }

  return answer(
    await rewriteCredentials(deps, store, {
      clientId,
      token,
      rotateToken: settings.rotateRegistrationAccessToken,
      rotateSecret: settings.rotateClientSecret || renewSecret,
      target: (current) => current,
      // the token's hint names the client's kind of secret, so the guarded write is usually right first time
      expected: known ?? hintedKind(token),
      guardKind: settings.rotateClientSecret || renewSecret,
      settings,
      requestId: request.requestId,
      request: requestDigest(request.method, null),
    }),
  );
}
