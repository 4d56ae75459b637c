import { invalidRequest, temporarilyUnavailable } from '../errors.js';
import type { ClientMetadata } from '../metadata/client-metadata.js';
import type { SecretState } from '../metadata/client-secret.js';
import type { Settings } from '../settings/catalog.js';
import { type HeldCredentials, openWithToken, sealForHolder } from '../tokens/held-credentials.js';
import { hashSecret, matchesHash, newSecret } from '../tokens/secrets.js';
import {
  type ClientRecord,
  type ClientStore,
  GuardFailedError,
  isSecretExpired,
  type PreviousTokenChange,
  type SecretChange,
  type WriteGuard,
} from './client.js';
import type { RegistrationDependencies } from './dependencies.js';
import { disabledClient, wrongTokenOrClient } from './guards.js';
import { idleExpiry, secretExpiry, toSeconds } from './lifecycle.js';

// Issuing, rotating and returning client secrets, and the guarded write that reads and updates
// credentials in one DynamoDB request when the client's secret kind is as expected.

export interface IssuedSecret {
  readonly change: SecretChange;
  /** Plaintext of a secret issued now. */
  readonly clientSecret?: string;
}

export function stateOf(record: ClientRecord): SecretState {
  return { hasSecret: record.secretHash !== undefined, recoverable: record.secretSealed !== undefined };
}

/** A new secret for the client, sealed as well when it must stay recoverable. */
export async function issueSecret(
  deps: RegistrationDependencies,
  clientId: string,
  recoverable: boolean,
): Promise<IssuedSecret & { change: { kind: 'replace' } }> {
  const clientSecret = newSecret(deps.random);
  const sealed = recoverable ? await sealer(deps).seal(clientSecret, clientId) : undefined;
  return { change: { kind: 'replace', hash: hashSecret(clientSecret), sealed }, clientSecret };
}

/** The lifecycle of a secret issued by a rotation: its expiry, and how long the one it replaces still authenticates. */
interface SecretTerms {
  readonly expiresAt: number;
  readonly retainUntil?: number;
}

function secretTerms(settings: Settings, nowSeconds: number): SecretTerms {
  const retention = settings.clientSecretRetentionSeconds;
  return { expiresAt: secretExpiry(settings, nowSeconds), retainUntil: retention > 0 ? nowSeconds + retention : undefined };
}

/**
 * From the current secret kind to the target one: a new secret when rotating, when the client had
 * none, or when it must become recoverable (an unsealed secret cannot be recovered later). A replaced
 * secret is retained when the terms say so (the write's guard holds the item to a kind with a secret).
 */
async function planSecret(
  deps: RegistrationDependencies,
  clientId: string,
  current: SecretState,
  target: SecretState,
  rotate: boolean,
  terms: SecretTerms,
): Promise<IssuedSecret> {
  if (!target.hasSecret) return { change: { kind: 'remove' } };
  if (rotate || !current.hasSecret || (target.recoverable && !current.recoverable)) {
    const issued = await issueSecret(deps, clientId, target.recoverable);
    return {
      ...issued,
      change: { ...issued.change, expiresAt: terms.expiresAt, retainUntil: current.hasSecret ? terms.retainUntil : undefined },
    };
  }
  return { change: { kind: 'keep', dropSealed: current.recoverable && !target.recoverable } };
}

/** The secret to show: one issued now, else the stored one when it is recoverable (docs/reference.md), else none. */
export async function secretToShow(deps: RegistrationDependencies, record: ClientRecord, issued?: string): Promise<string | undefined> {
  if (issued !== undefined) return issued;
  if (record.secretSealed === undefined) return undefined;
  return sealer(deps).open(record.secretSealed, record.clientId);
}

export interface CredentialRewrite {
  readonly clientId: string;
  /** The registration access token presented. */
  readonly token: string;
  /** Issue a new registration access token (rotation), or keep the presented one. */
  readonly rotateToken: boolean;
  /** New metadata (PUT), or undefined to keep it (GET). */
  readonly metadata?: ClientMetadata;
  /** client_secret sent in a PUT: it must match the stored one. */
  readonly presentedSecret?: string;
  readonly rotateSecret: boolean;
  /** The secret kind the client should end with, given the kind it has. */
  readonly target: (current: SecretState) => SecretState;
  /** The kind the client most likely has now. */
  readonly expected: SecretState;
  /** Whether the plan depends on the kind (else the write is not guarded by it). */
  readonly guardKind: boolean;
  /** The lifecycle settings in force (grace, retention, lifetime, idle expiry). */
  readonly settings: Settings;
  /** Stored on the item, for the lifecycle events. */
  readonly requestId: string;
  /** Names this request (requestDigest): a repeat with the previous token is recognised by it. */
  readonly request: string;
}

/** Names a management request for recognising its repeat: the method and a digest of the body as sent. */
export function requestDigest(method: string, body: string | null): string {
  return body === null || body === '' ? method : `${method} ${hashSecret(body)}`;
}

// A registration access token starts with a hint of the client's secret kind, set when the token is
// issued: a GET under rotation can then guess the kind right and rotate in one guarded write. The hint
// is never trusted: the write's guard checks the item, and a stale hint (a PUT that changed the kind
// while token rotation was off) only costs the fallback read.
const KIND_HINTS = { ordinary: 's', recoverable: 'r', none: 'n' } as const;
const USUAL_KIND: SecretState = { hasSecret: true, recoverable: false };

export function newRegistrationAccessToken(kind: SecretState, random: RegistrationDependencies['random']): string {
  const hint = !kind.hasSecret ? KIND_HINTS.none : kind.recoverable ? KIND_HINTS.recoverable : KIND_HINTS.ordinary;
  return `${hint}.${newSecret(random)}`;
}

/** The kind a token's hint names; the usual kind for a token without a hint. */
export function hintedKind(token: string): SecretState {
  if (token[1] !== '.') return USUAL_KIND;
  if (token[0] === KIND_HINTS.none) return { hasSecret: false, recoverable: false };
  if (token[0] === KIND_HINTS.recoverable) return { hasSecret: true, recoverable: true };
  return USUAL_KIND;
}

/**
 * The credentials a management call answers with. `wrote`: this call changed the client (a repeat
 * answered from held credentials did not); `previous`: the client before the write, when known.
 */
type Rewritten = { wrote?: true; previous?: ClientRecord; record: ClientRecord; clientSecret?: string; registrationAccessToken: string };

/**
 * One UpdateItem guarded by the token hash (and the expected secret kind, and a kept secret's expiry):
 * the common case costs a single request. If the guard fails, one read tells a wrong token (401), a
 * disabled client (403) or a wrong client_secret (400) from an unexpected secret kind or an expired
 * secret, which is then written with a version guard. It also recognises the previous token within
 * its grace: a repeat of the request whose answer was lost gets that answer again (no write, so
 * parallel repeats all get the same working credentials); another request is written once, against
 * the current token and version, so of racing requests exactly one wins and the others get 401.
 */
export async function rewriteCredentials(
  deps: RegistrationDependencies,
  store: ClientStore,
  rewrite: CredentialRewrite,
): Promise<Rewritten> {
  const nowSeconds = toSeconds(deps.now());
  const terms = secretTerms(rewrite.settings, nowSeconds);
  const write = async (
    plan: IssuedSecret,
    endKind: SecretState,
    guard: Partial<WriteGuard>,
    held?: HeldCredentials,
  ): Promise<Rewritten> => {
    const newToken = rewrite.rotateToken ? newRegistrationAccessToken(endKind, deps.random) : undefined;
    const currentToken = held?.registrationAccessToken ?? rewrite.token;
    const kept = plan.change.kind === 'keep';
    // a secret the lost answer carried is still the client's when this write keeps it
    const clientSecret = plan.clientSecret ?? (kept ? held?.clientSecret : undefined);
    const { previous, record } = await store.update(
      rewrite.clientId,
      {
        metadata: rewrite.metadata,
        secret: plan.change,
        registrationTokenHash: newToken && hashSecret(newToken),
        previousToken: previousTokenChange(deps, rewrite, nowSeconds, { newToken, clientSecret, held }),
        idleExpiresAt: idleExpiry(rewrite.settings, nowSeconds),
        requestId: rewrite.requestId,
        updatedAt: nowSeconds,
      },
      {
        registrationTokenHash: hashSecret(currentToken),
        secretHash: rewrite.presentedSecret === undefined ? undefined : hashSecret(rewrite.presentedSecret),
        // a kept secret must not have expired: the fallback then replaces it
        secretUnexpired: kept || undefined,
        ...guard,
      },
    );
    return {
      wrote: true,
      previous,
      record,
      clientSecret: await secretToShow(deps, record, clientSecret),
      registrationAccessToken: newToken ?? currentToken,
    };
  };

  const expected = rewrite.expected;
  const firstPlan = rewrite.guardKind
    ? await planSecret(deps, rewrite.clientId, expected, rewrite.target(expected), rewrite.rotateSecret, terms)
    : { change: { kind: 'keep' } as const };
  try {
    return await write(firstPlan, rewrite.target(expected), { secret: rewrite.guardKind ? expected : undefined });
  } catch (error) {
    if (!(error instanceof GuardFailedError)) throw error;
  }

  // The guard failed: read, decide from what is stored, and write against the version read. When that
  // write loses to a concurrent one, read again: a token rotated away is then a 401, as it would be
  // for a request that came a moment later; only a client that keeps changing under a token that stays
  // good (rotation off) runs out of rounds and gets a 503 to retry.
  for (let round = 0; round < RACE_ROUNDS; round++) {
    const current = await store.find(rewrite.clientId);
    const { held } = presenterOf(current, rewrite.token, nowSeconds);
    if (held) {
      // the previous token repeats the request whose answer was lost: the same answer, no write
      if (held.request === rewrite.request) return heldAnswer(deps, current!, held);
      // it made one request of its own already: it may repeat that one, nothing else
      if (held.spent) throw wrongTokenOrClient();
    }
    if (rewrite.presentedSecret !== undefined && !matchesHash(rewrite.presentedSecret, current!.secretHash)) {
      throw invalidRequest('client_secret does not match the current client secret');
    }
    const actual = stateOf(current!);
    const expired = isSecretExpired(current!.secretExpiresAt, nowSeconds);
    const plan = await planSecret(deps, rewrite.clientId, actual, rewrite.target(actual), rewrite.rotateSecret || expired, terms);
    try {
      return await write(plan, rewrite.target(actual), { version: current!.version }, held);
    } catch (error) {
      if (!(error instanceof GuardFailedError)) throw error;
      // a repeat with the previous token lost the race to another: its token is no longer good
      if (held) throw wrongTokenOrClient();
    }
  }
  throw changedMeanwhile();
}

// Read-then-write rounds after the first guarded write failed; each lost round means another request won.
const RACE_ROUNDS = 3;

/**
 * What a write does to the previous token. Presented by its holder (a repeat): it stays, with its
 * grace unchanged, and now holds the credentials of this answer. Presented the current token: the
 * previous one is superseded; the current one becomes the previous when it is rotated under a grace.
 */
function previousTokenChange(
  deps: RegistrationDependencies,
  rewrite: CredentialRewrite,
  nowSeconds: number,
  answer: { newToken?: string; clientSecret?: string; held?: HeldCredentials },
): PreviousTokenChange {
  const grace = rewrite.settings.registrationAccessTokenGraceSeconds;
  const seal = (registrationAccessToken: string) =>
    sealForHolder(
      rewrite.token,
      rewrite.clientId,
      {
        registrationAccessToken,
        clientSecret: answer.clientSecret,
        request: rewrite.request,
        spent: answer.held !== undefined || undefined,
      },
      deps.random,
    );
  if (answer.held) return { kind: 'pending', pendingCredentials: seal(answer.newToken ?? answer.held.registrationAccessToken) };
  if (answer.newToken !== undefined && grace > 0) {
    return { kind: 'set', hash: hashSecret(rewrite.token), validUntil: nowSeconds + grace, pendingCredentials: seal(answer.newToken) };
  }
  return { kind: 'remove' };
}

function changedMeanwhile() {
  return temporarilyUnavailable('the client was changed by another request at the same time; retry', 1);
}

function sealer(deps: RegistrationDependencies) {
  if (!deps.secretSealer) {
    throw temporarilyUnavailable(
      'this client needs a recoverable secret (client_secret_jwt or an HS* algorithm), but no encryption key is configured (DCR_SECRET_KEY_ID)',
      300,
    );
  }
  return deps.secretSealer;
}

/** The token a management call presents: the current one, or the previous one within its grace. */
export interface Presenter {
  /** Set when the previous token was presented: the credentials the rotation that replaced it issued. */
  readonly held?: HeldCredentials;
}

/**
 * Checks a presented registration access token against a stored client: its current token, or the
 * previous one within the grace (until the current one is first used, which removes it), whose pending
 * credentials it opens. Unknown client and wrong token answer alike (401); a disabled client, to a
 * caller with a valid token, 403.
 */
export function presenterOf(record: ClientRecord | undefined, token: string, nowSeconds: number): Presenter {
  if (!record) throw wrongTokenOrClient();
  let presenter: Presenter | undefined;
  if (matchesHash(token, record.registrationTokenHash)) presenter = {};
  else {
    const held = heldCredentials(record, token, nowSeconds);
    if (held) presenter = { held };
  }
  if (!presenter) throw wrongTokenOrClient();
  if (record.disabled) throw disabledClient();
  return presenter;
}

function heldCredentials(record: ClientRecord, token: string, nowSeconds: number): HeldCredentials | undefined {
  const { previousRegistrationTokenHash: hash, previousRegistrationTokenValidUntil: until, pendingCredentials } = record;
  if (hash === undefined || until === undefined || pendingCredentials === undefined) return undefined;
  if (nowSeconds >= until || !matchesHash(token, hash)) return undefined;
  const held = openWithToken(token, record.clientId, pendingCredentials);
  // pending credentials that no longer name the current token are stale: nothing to recover
  return held && matchesHash(held.registrationAccessToken, record.registrationTokenHash) ? held : undefined;
}

/** The answer a caller with the previous token gets again: the lost one, as it was. */
export async function heldAnswer(
  deps: RegistrationDependencies,
  record: ClientRecord,
  held: HeldCredentials,
): Promise<{ record: ClientRecord; clientSecret?: string; registrationAccessToken: string }> {
  return {
    record,
    clientSecret: held.clientSecret ?? (await secretToShow(deps, record)),
    registrationAccessToken: held.registrationAccessToken,
  };
}
