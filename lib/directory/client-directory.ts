import { type JWTPayload, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { InvalidClientError, temporarilyUnavailable } from '../errors.js';
import { log } from '../log.js';
import type { DocumentFetcher } from '../metadata/document-fetcher.js';
import { ASYMMETRIC_SIGNING_ALGS, SYMMETRIC_SIGNING_ALGS } from '../metadata/values.js';
import { acceptedSecretHashes, type ClientRecord, type ClientStore, isIdleExpired, isSecretExpired } from '../registration/client.js';
import { ExpiringCache } from '../tokens/expiring-cache.js';
import type { SecretSealer } from '../tokens/secret-sealer.js';
import { matchesHash } from '../tokens/secrets.js';
import { certificateInKeySet, checkValidity, parseCertificate, subjectMatches } from './client-certificate.js';
import { ClientKeys } from './client-keys.js';
import { type DirectoryClient, registeredAuthMethod } from './directory-client.js';
import type { AssertionReplayStore, ClientUseRecorder } from './ports.js';
import { matchRedirectUri } from './redirect-uri.js';
import { type ClientAuthenticationRequest, type PresentedCredentials, presentedCredentials } from './request-credentials.js';

/** Client ID Metadata Documents (metadata-documents.ts): clients whose client_id is an https URL. */
export interface MetadataDocumentClients {
  /** Whether this client_id is for it (an https URL), whatever the settings say. */
  handles(clientId: string): boolean;
  find(clientId: string): Promise<DirectoryClient | undefined>;
}

export interface ClientDirectoryDependencies {
  readonly store: ClientStore;
  readonly replays: AssertionReplayStore;
  /** Reads jwks_uri documents (the SSRF-guarded fetcher). */
  readonly documents: DocumentFetcher;
  /** Opens client_secret_jwt secrets (KMS in AWS); absent: such clients cannot authenticate (503). */
  readonly secretSealer?: SecretSealer;
  readonly metadataDocuments?: MetadataDocumentClients;
  /** The lifecycle's idle-expiry hook (ports.ts); absent: use is not recorded. */
  readonly uses?: ClientUseRecorder;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

export interface ClientDirectoryOptions {
  /**
   * What a client assertion's `aud` may be (RFC 7523 §3): the token endpoint URL and the issuer
   * identifier of the authorization server. One of them must be in `aud`.
   */
  readonly audience: string | readonly string[];
  /** The longest a client assertion may live, `exp` minus now (default 300 s). Bounds how long a jti is remembered. */
  readonly maxAssertionLifetimeSeconds?: number;
  /** Clock skew allowed on exp / nbf / iat (default 30 s). */
  readonly clockToleranceSeconds?: number;
}

export interface AuthenticatedClient {
  readonly client: DirectoryClient;
  /** The token_endpoint_auth_method the request used (the one the client registered). */
  readonly method: string;
}

const SYMMETRIC: readonly string[] = SYMMETRIC_SIGNING_ALGS;
const ASYMMETRIC: readonly string[] = ASYMMETRIC_SIGNING_ALGS;
const OPENED_SECRET_CACHE_MS = 5 * 60_000;
/** Longer than any client_id this service issues or accepts (a metadata document URL included). */
const MAX_CLIENT_ID_LENGTH = 2048;

/**
 * The clients an authorization server may serve: the ones registered here (RFC 7591) and, when the
 * setting is on, clients identified by the URL of their metadata document. It finds a client,
 * authenticates it at the token endpoint (RFC 6749 §2.3, OIDC Core §9, RFC 7523, RFC 8705) and
 * checks redirect URIs, with the rules registration enforced. Build one per container
 * (lib/client-directory.ts does, on DynamoDB); every method is safe to call concurrently.
 */
export class ClientDirectory {
  private readonly audience: string[];
  private readonly maxLifetime: number;
  private readonly tolerance: number;
  private readonly keys: ClientKeys;
  private readonly openedSecrets = new ExpiringCache<string>(1_000);

  constructor(
    private readonly deps: ClientDirectoryDependencies,
    options: ClientDirectoryOptions,
  ) {
    this.audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
    if (this.audience.length === 0 || this.audience.some((value) => !value))
      throw new Error('the client directory needs the audience of client assertions (token endpoint URL, issuer)');
    this.maxLifetime = options.maxAssertionLifetimeSeconds ?? 300;
    this.tolerance = options.clockToleranceSeconds ?? 30;
    this.keys = new ClientKeys(deps.documents, deps.now);
  }

  /** The client, or undefined when there is none: unknown, deleted, or (metadata documents) not allowed or not valid. */
  async find(clientId: string): Promise<DirectoryClient | undefined> {
    return (await this.lookup(clientId))?.client;
  }

  /**
   * Authenticates the client of a token request with the method it registered. Returns the client;
   * throws InvalidClientError (401 invalid_client, `reason` for the logs) when the request does not
   * prove it is that client, or a 503 RegistrationError when the datastore or key service is down.
   */
  async authenticate(request: ClientAuthenticationRequest): Promise<AuthenticatedClient> {
    const presented = presentedCredentials(request);
    const basic = presented.method === 'client_secret_basic';
    const found = await this.lookup(presented.clientId);
    if (!found) throw new InvalidClientError('no such client (unknown, deleted, or not allowed)', { basic });
    const { client, record } = found;
    const registered = registeredAuthMethod(client);
    const method = presented.method === 'certificate' ? certificateMethod(registered) : presented.method;
    if (method !== registered)
      throw new InvalidClientError(`the client is registered for ${registered}, the request used ${method}`, { basic });

    switch (presented.method) {
      case 'client_secret_basic':
      case 'client_secret_post':
        this.checkSecret(record, presented.secret, basic);
        break;
      case 'client_secret_jwt':
      case 'private_key_jwt':
        await this.checkAssertion(client, record, presented);
        break;
      case 'certificate':
        // a public client that happens to present a certificate proves nothing more with it
        if (method !== 'none') await this.checkCertificate(client, method, request);
        break;
      case 'none':
        break;
    }
    if (record) await this.recordUse(record);
    return { client, method };
  }

  /** Whether `uri` is one of the client's redirect URIs (exact; a native client's loopback URI on any port). */
  matchRedirectUri(client: DirectoryClient, uri: string): boolean {
    return matchRedirectUri(client, uri);
  }

  private async lookup(clientId: string): Promise<{ client: DirectoryClient; record?: ClientRecord } | undefined> {
    if (!clientId || clientId.length > MAX_CLIENT_ID_LENGTH) return undefined;
    if (this.deps.metadataDocuments?.handles(clientId)) {
      const client = await this.deps.metadataDocuments.find(clientId);
      return client && { client };
    }
    // items that are not clients (cap counters, jti records) have keys starting with '#': never a client
    if (clientId.startsWith('#')) return undefined;
    const record = await this.deps.store.find(clientId);
    if (!record || !isUsable(record, this.nowSeconds())) return undefined;
    return { client: directoryClient(record), record };
  }

  private checkSecret(record: ClientRecord | undefined, secret: string, basic: boolean): void {
    if (!record?.secretHash) throw new InvalidClientError('the client has no secret', { basic });
    // the current secret unless expired, and the previous one while the lifecycle retains it
    if (acceptedSecretHashes(record, this.nowSeconds()).some((hash) => matchesHash(secret, hash))) return;
    if (isSecretExpired(record.secretExpiresAt, this.nowSeconds()) && matchesHash(secret, record.secretHash)) {
      throw new InvalidClientError('the client secret has expired', { basic });
    }
    throw new InvalidClientError('the client secret is wrong', { basic });
  }

  private nowSeconds(): number {
    return Math.floor(this.deps.now() / 1000);
  }

  private async checkAssertion(
    client: DirectoryClient,
    record: ClientRecord | undefined,
    presented: Extract<PresentedCredentials, { assertion: string }>,
  ): Promise<void> {
    const symmetric = presented.method === 'client_secret_jwt';
    if (!(symmetric ? SYMMETRIC : ASYMMETRIC).includes(presented.alg))
      throw new InvalidClientError(`the client assertion's alg ${presented.alg.slice(0, 20)} is not allowed for ${presented.method}`);
    const registeredAlg = client.metadata.token_endpoint_auth_signing_alg;
    if (registeredAlg !== undefined && registeredAlg !== presented.alg)
      throw new InvalidClientError(`the client registered token_endpoint_auth_signing_alg ${String(registeredAlg)}`);
    const key: Uint8Array | JWTVerifyGetKey = symmetric
      ? new TextEncoder().encode(await this.openSecret(record))
      : this.keys.resolver(client);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(presented.assertion, key as JWTVerifyGetKey, {
        algorithms: [presented.alg],
        issuer: client.clientId,
        subject: client.clientId,
        audience: this.audience,
        clockTolerance: this.tolerance,
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(this.deps.now()),
      }));
    } catch (error) {
      if (error instanceof InvalidClientError) throw error;
      throw new InvalidClientError(`the client assertion was refused: ${assertionProblem(error)}`);
    }
    const now = Math.floor(this.deps.now() / 1000);
    const exp = payload.exp!;
    if (exp - now > this.maxLifetime + this.tolerance)
      throw new InvalidClientError(`the client assertion lives longer than ${this.maxLifetime} s`);
    if (typeof payload.jti !== 'string' || !payload.jti) throw new InvalidClientError('the client assertion has no jti');
    // remembered until it could no longer be accepted anyway
    if (!(await this.deps.replays.claim(`${client.clientId}\n${payload.jti}`, exp + this.tolerance))) {
      throw new InvalidClientError('the client assertion was used before (jti replay)');
    }
  }

  private async openSecret(record: ClientRecord | undefined): Promise<string> {
    if (!record?.secretSealed) throw new InvalidClientError('the client has no recoverable secret for client_secret_jwt');
    if (isSecretExpired(record.secretExpiresAt, this.nowSeconds())) throw new InvalidClientError('the client secret has expired');
    const sealer = this.deps.secretSealer;
    if (!sealer) throw temporarilyUnavailable('no key is configured to open client_secret_jwt secrets (DCR_SECRET_KEY_ID)', 30);
    const now = this.deps.now();
    const cacheKey = `${record.clientId}\n${record.secretSealed}`;
    const cached = this.openedSecrets.get(cacheKey, now);
    if (cached !== undefined) return cached;
    const secret = await sealer.open(record.secretSealed, record.clientId);
    this.openedSecrets.set(cacheKey, secret, now + OPENED_SECRET_CACHE_MS, now);
    return secret;
  }

  private async checkCertificate(client: DirectoryClient, method: string, request: ClientAuthenticationRequest): Promise<void> {
    const certificate = parseCertificate(request.certificate!);
    checkValidity(certificate, this.deps.now());
    if (method === 'tls_client_auth') {
      const dn = client.metadata.tls_client_auth_subject_dn;
      if (typeof dn !== 'string' || !subjectMatches(certificate, dn))
        throw new InvalidClientError('the client certificate subject is not the registered tls_client_auth_subject_dn');
      return;
    }
    if (!(await certificateInKeySet(certificate, await this.keys.jwks(client))))
      throw new InvalidClientError('the client certificate is not one of the keys the client registered');
  }

  /** Registered clients only: a metadata document client has no item to keep alive. */
  private async recordUse(record: ClientRecord): Promise<void> {
    if (!this.deps.uses) return;
    try {
      await this.deps.uses.recordUse(record, this.nowSeconds());
    } catch (error) {
      log('warn', 'the use of a client could not be recorded', { clientId: record.clientId, error: (error as Error).name });
    }
  }
}

/** A client certificate with only a client_id: the mutual-TLS method the client registered, if any. */
function certificateMethod(registered: string): string {
  return registered === 'tls_client_auth' || registered === 'self_signed_tls_client_auth' ? registered : 'none';
}

export function directoryClient(record: ClientRecord): DirectoryClient {
  return {
    clientId: record.clientId,
    source: 'registered',
    metadata: record.metadata,
    issuedAt: record.issuedAt,
    ...(record.secretHash === undefined ? {} : { secretExpiresAt: record.secretExpiresAt ?? 0 }),
  };
}

/**
 * Whether a stored item is a client an authorization server may use: not disabled by an operator,
 * not past its idle expiry (DynamoDB's TTL may not have swept it yet; the store checks this too).
 */
function isUsable(record: ClientRecord, nowSeconds: number): boolean {
  return record.metadata !== undefined && !record.disabled && !isIdleExpired(record, nowSeconds);
}

/** The reason jose gives, by code (never the token). */
function assertionProblem(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} ${error.reason}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no registered key matches it';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return (error as Error).name;
}
