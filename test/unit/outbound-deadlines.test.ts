// Every call to another service ends at its deadline (lib/time-budget.ts), whatever the other side does:
// SSM, KMS, the issuer's JWKS and token introspection are played here by transports that never answer.
// test/integration/datastore-stalled.test.ts does the same for DynamoDB, through a stalling proxy.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { SsmReader } from '../../lib/settings/ssm-reader.js';
import { SsmSecureString } from '../../lib/settings/ssm-secure-string.js';
import { SsmSettingsSource } from '../../lib/settings/ssm-settings.js';
import { DynamoDbDocuments } from '../../lib/store/dynamodb-documents.js';
import { KmsSecretSealer } from '../../lib/store/kms-secret-sealer.js';
import { boundedCall, CallTimeoutError, callTimeMs, inRecovery, TIME_BUDGET, withinRequestBudget } from '../../lib/time-budget.js';
import { JwtInitialAccessTokenVerifier } from '../../lib/tokens/initial-access-token.js';
import { IntrospectionInitialAccessTokenVerifier } from '../../lib/tokens/introspection-verifier.js';
import { awsPieces } from '../support/ssm-server.js';
import { stalledTransport, TEST_AWS } from '../support/stalled-transport.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
}

/** Resolves once every signal has aborted (parallel calls end at their own deadlines, a moment apart). */
async function everyAborted(signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  for (const signal of signals) expect(signal).toBeDefined();
  await Promise.all(signals.map((signal) => signal!.aborted || new Promise((resolve) => signal!.addEventListener('abort', resolve))));
}

async function unavailable(promise: Promise<unknown>): Promise<RegistrationError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(RegistrationError);
  const known = error as RegistrationError;
  expect({ status: known.status, error: known.error }).toEqual({ status: 503, error: 'temporarily_unavailable' });
  expect(known.headers['Retry-After']).toMatch(/^[1-9]\d*$/);
  return known;
}

describe('the time budget', () => {
  it('states a whole request, with its recovery time, well inside the 10 s function timeout', () => {
    expect(TIME_BUDGET.requestMs + TIME_BUDGET.recoveryMs).toBeLessThanOrEqual(8_000);
    expect(TIME_BUDGET.awsAttemptMs * TIME_BUDGET.awsMaxAttempts).toBeGreaterThanOrEqual(TIME_BUDGET.awsCallMs);
    expect(TIME_BUDGET.awsCallMs).toBeLessThan(TIME_BUDGET.requestMs);
    expect(TIME_BUDGET.remoteCallMs).toBeLessThan(TIME_BUDGET.requestMs);
  });

  it('settles a call that ignores its signal at the deadline, and aborts the signal it handed over', async () => {
    // Prepare
    let handed: AbortSignal | undefined;

    // Act
    const error = await rejection(
      boundedCall(50, (signal) => {
        handed = signal;
        return new Promise(() => undefined);
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect((error as Error).name).toBe('TimeoutError');
    expect(handed?.aborted).toBe(true);
  });

  it('gives a call no more than what is left of the request, and none once it is spent', async () => {
    // Act
    const { early, spent } = await withinRequestBudget(async () => {
      const early = callTimeMs(TIME_BUDGET.remoteCallMs);
      await new Promise((resolve) => setTimeout(resolve, 60));
      let called = false;
      const spent = await rejection(
        boundedCall(TIME_BUDGET.awsCallMs, async () => {
          called = true;
        }),
      );
      return { early, spent: { error: spent, called } };
    }, 50);

    // Assess
    expect(early).toBeLessThanOrEqual(50);
    expect(spent.error).toBeInstanceOf(CallTimeoutError);
    expect(spent.called).toBe(false);
  });

  it('ends a call at its own deadline when a call with a later one is in flight', async () => {
    // Prepare: a call that would wait a minute holds the shared timer
    const long = rejection(boundedCall(60_000, () => new Promise(() => undefined)));

    // Act
    const error = await withinRequestBudget(() => rejection(boundedCall(TIME_BUDGET.awsCallMs, () => new Promise(() => undefined))), 50);

    // Assess
    expect(error).toBeInstanceOf(CallTimeoutError);
    void long;
  });

  it('lets recovery steps run past the request deadline, up to recoveryMs', async () => {
    // Act
    const left = await withinRequestBudget(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { request: callTimeMs(10_000), recovery: await inRecovery(async () => callTimeMs(10_000)) };
    }, 10);

    // Assess
    expect(left.request).toBe(0);
    expect(left.recovery).toBeGreaterThan(TIME_BUDGET.recoveryMs - 500);
    expect(left.recovery).toBeLessThanOrEqual(TIME_BUDGET.recoveryMs);
  });
});

describe('a stalled SSM', () => {
  it('settings: the first load answers 503 instead of waiting, and the request was aborted', async () => {
    // Prepare
    const transport = stalledTransport();
    const settings = new SsmSettingsSource({
      prefix: '/dcr/test/',
      ttlSeconds: 15,
      reader: new SsmReader({ aws: awsPieces({ requestHandler: transport.requestHandler }), env: {} }),
    });

    // Act
    await unavailable(settings.current());

    // Assess
    expect(transport.signals.length).toBeGreaterThanOrEqual(1);
    await everyAborted(transport.signals);
  });

  it('a secret parameter: 503 instead of waiting', async () => {
    // Prepare
    const transport = stalledTransport();
    const secret = new SsmSecureString({
      name: '/dcr/test/secret',
      label: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER',
      reader: new SsmReader({ aws: awsPieces({ requestHandler: transport.requestHandler }), env: {} }),
    });

    // Act
    await unavailable(withinRequestBudget(() => secret.get(), 300));

    // Assess
    expect(transport.signals.every((signal) => signal?.aborted)).toBe(true);
  });
});

describe('a stalled KMS', () => {
  it('sealing a secret answers 503 instead of waiting, and the request was aborted', async () => {
    // Prepare
    const transport = stalledTransport();
    const sealer = new KmsSecretSealer('alias/dcr', new KMSClient({ ...TEST_AWS, requestHandler: transport.requestHandler }));

    // Act
    const error = await unavailable(sealer.seal('a-secret', 'client-1'));

    // Assess
    expect(error.description).toContain('key service');
    expect(transport.signals.length).toBeGreaterThanOrEqual(1);
    expect(transport.signals.every((signal) => signal?.aborted)).toBe(true);
  });

  it('opening a secret answers 503 within the request deadline', async () => {
    // Prepare
    const transport = stalledTransport();
    const sealer = new KmsSecretSealer('alias/dcr', new KMSClient({ ...TEST_AWS, requestHandler: transport.requestHandler }));

    // Act, Assess
    await unavailable(withinRequestBudget(() => sealer.open(`kms1.${Buffer.from('blob').toString('base64')}`, 'client-1'), 200));
  });
});

describe('a stalled server: the issuer, introspection, DynamoDB', () => {
  // accepts connections and reads them, never answers
  let server: Server;
  let origin: string;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('JWKS: a token to verify answers 503 within the request deadline', async () => {
    // Prepare
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'dcr:register' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://issuer.example.test')
      .setExpirationTime('5m')
      .sign(privateKey);
    const verifier = new JwtInitialAccessTokenVerifier({ issuer: 'https://issuer.example.test', jwksUri: `${origin}/jwks` });

    // Act, Assess
    const error = await unavailable(withinRequestBudget(() => verifier.verify(token), 300));
    expect(error.description).toContain('issuer keys');
  });

  it('introspection: answers 503 within the request deadline, with the fetch aborted', async () => {
    // Prepare
    let handed: AbortSignal | undefined;
    const verifier = new IntrospectionInitialAccessTokenVerifier({
      endpoint: `${origin}/introspect`,
      clientId: 'dcr',
      clientSecret: { get: () => Promise.resolve('secret') },
      fetch: ((url: string, init: RequestInit) => {
        handed = init.signal ?? undefined;
        return fetch(url, init);
      }) as typeof fetch,
    });

    // Act
    const error = await unavailable(withinRequestBudget(() => verifier.verify('opaque-token'), 300));

    // Assess
    expect(error.description).toContain('introspection');
    expect(handed?.aborted).toBe(true);
  });

  it('DynamoDB: a call is cut at the request deadline and its connection closed', async () => {
    // Prepare: one attempt, whose own timeouts are far away, so only the call's deadline can cut it
    const documents = new DynamoDbDocuments({
      ...TEST_AWS,
      endpoint: origin,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 60_000, requestTimeout: 60_000 },
    });
    const connection = new Promise<Socket>((resolve) => server.once('connection', resolve));

    // Act
    const error = await rejection(withinRequestBudget(() => documents.get({ TableName: 'clients', Key: { client_id: 'c1' } }), 200));

    // Assess
    expect(error).toBeInstanceOf(CallTimeoutError);
    const socket = await connection;
    if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.destroyed).toBe(true);
    documents.destroy();
  });
});
