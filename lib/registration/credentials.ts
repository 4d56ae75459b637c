import { invalidRequest, temporarilyUnavailable } from '../errors.js';
import type { ClientMetadata } from '../metadata/client-metadata.js';
import type { SecretState } from '../metadata/client-secret.js';
import { hashSecret, matchesHash, newSecret } from '../tokens/secrets.js';
import { type ClientRecord, type ClientStore, GuardFailedError, type SecretChange } from './client.js';
import type { RegistrationDependencies } from './dependencies.js';
import { wrongTokenOrClient } from './guards.js';

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

/**
 * From the current secret kind to the target one: a new secret when rotating, when the client had
 * none, or when it must become recoverable (an unsealed secret cannot be recovered later).
 */
async function planSecret(
  deps: RegistrationDependencies,
  clientId: string,
  current: SecretState,
  target: SecretState,
  rotate: boolean,
): Promise<IssuedSecret> {
  if (!target.hasSecret) return { change: { kind: 'remove' } };
  if (rotate || !current.hasSecret || (target.recoverable && !current.recoverable)) return issueSecret(deps, clientId, target.recoverable);
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
 * One UpdateItem guarded by the token hash (and the expected secret kind): the common case costs a
 * single request. If the guard fails, one read tells a wrong token (401) or wrong client_secret
 * (400) from an unexpected secret kind, which is then written with a version guard.
 */
export async function rewriteCredentials(
  deps: RegistrationDependencies,
  store: ClientStore,
  rewrite: CredentialRewrite,
): Promise<{ record: ClientRecord; clientSecret?: string; registrationAccessToken: string }> {
  const updatedAt = Math.floor(deps.now() / 1000);
  const write = async (plan: IssuedSecret, endKind: SecretState, guard: { secret?: SecretState; version?: number }) => {
    const newToken = rewrite.rotateToken ? newRegistrationAccessToken(endKind, deps.random) : undefined;
    const record = await store.update(
      rewrite.clientId,
      { metadata: rewrite.metadata, secret: plan.change, registrationTokenHash: newToken && hashSecret(newToken), updatedAt },
      {
        registrationTokenHash: hashSecret(rewrite.token),
        secretHash: rewrite.presentedSecret === undefined ? undefined : hashSecret(rewrite.presentedSecret),
        ...guard,
      },
    );
    return {
      record,
      clientSecret: await secretToShow(deps, record, plan.clientSecret),
      registrationAccessToken: newToken ?? rewrite.token,
    };
  };

  const expected = rewrite.expected;
  const firstPlan = rewrite.guardKind
    ? await planSecret(deps, rewrite.clientId, expected, rewrite.target(expected), rewrite.rotateSecret)
    : { change: { kind: 'keep' } as const };
  try {
    return await write(firstPlan, rewrite.target(expected), { secret: rewrite.guardKind ? expected : undefined });
  } catch (error) {
    if (!(error instanceof GuardFailedError)) throw error;
  }

  const current = await store.find(rewrite.clientId);
  if (!current || !matchesHash(rewrite.token, current.registrationTokenHash)) throw wrongTokenOrClient();
  if (rewrite.presentedSecret !== undefined && !matchesHash(rewrite.presentedSecret, current.secretHash)) {
    throw invalidRequest('client_secret does not match the current client secret');
  }
  const actual = stateOf(current);
  if (!rewrite.guardKind || (actual.hasSecret === expected.hasSecret && actual.recoverable === expected.recoverable))
    throw changedMeanwhile();
  const plan = await planSecret(deps, rewrite.clientId, actual, rewrite.target(actual), rewrite.rotateSecret);
  try {
    return await write(plan, rewrite.target(actual), { version: current.version });
  } catch (error) {
    if (error instanceof GuardFailedError) throw changedMeanwhile();
    throw error;
  }
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
