// SSM cannot run on this machine (no emulator, no network): a local SSM (test/support/ssm-server.ts)
// answers GetParameters from its parameter store, checking each request's signature.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { DEFAULT_SETTINGS, SETTINGS, type Settings } from '../../lib/settings/catalog.js';
import { checkRegistrationPolicies } from '../../lib/settings/policies-check.js';
import { SsmSettingsSource } from '../../lib/settings/ssm-settings.js';
import { capturedLogs } from '../support/log-capture.js';
import { ACCESS_DENIED, LocalSsm, noBackOff, THROTTLED } from '../support/ssm-server.js';

const PREFIX = '/dcr/test/';
const TTL_SECONDS = 15;
const ssm = new LocalSsm();

/** The parameters as the stack seeds them; tests change values like an operator would. */
function seedParameters(): void {
  for (const definition of SETTINGS) ssm.put(PREFIX + definition.parameter, definition.defaultValue);
}

class Clock {
  constructor(public millis = 1_700_000_000_000) {}
  readonly now = () => this.millis;
  advanceSeconds(seconds: number): void {
    this.millis += seconds * 1000;
  }
}

function source(clock: Clock): SsmSettingsSource {
  return new SsmSettingsSource({
    prefix: PREFIX,
    ttlSeconds: TTL_SECONDS,
    // the SDK's standard retries without their back-off waits (a throttled read is tried 3 times)
    reader: ssm.reader({ retry: noBackOff() }),
    now: clock.now,
    check: checkRegistrationPolicies,
  });
}

// GetParameters takes at most 10 names: one read of the settings is this many parallel calls.
const CALLS_PER_READ = Math.ceil(SETTINGS.length / 10);

/** Reads of the settings (each CALLS_PER_READ GetParameters calls). */
function requestCount(): number {
  return ssm.inputs('GetParameters').length / CALLS_PER_READ;
}

/** Waits (bounded) until `condition` holds: the local SSM's requests arrive over real sockets. */
async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

async function rejectionOf(promise: Promise<unknown>): Promise<RegistrationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RegistrationError);
  return error as RegistrationError;
}

describe('SsmSettingsSource', () => {
  let clock: Clock;

  beforeAll(async () => {
    await ssm.start();
  });
  afterAll(() => ssm.close());
  afterEach(() => ssm.settled());
  beforeEach(() => {
    ssm.reset();
    seedParameters();
    clock = new Clock();
  });

  it('reads every setting in GetParameters calls of at most 10 names, naming each parameter under the prefix', async () => {
    // Prepare
    const settings = source(clock);

    // Act
    const current = await settings.current();

    // Assess
    const calls = ssm.inputs('GetParameters').map((input) => input.Names as string[]);
    expect(calls).toHaveLength(CALLS_PER_READ);
    for (const names of calls) expect(names.length).toBeLessThanOrEqual(10);
    // the calls go in parallel: they may arrive in any order
    expect(calls.flat().sort()).toEqual(SETTINGS.map((definition) => PREFIX + definition.parameter).sort());
    expect(ssm.badSignatures).toEqual([]);
    expect(current).toEqual(DEFAULT_SETTINGS);
  });

  it('maps each parameter value onto its setting', async () => {
    // Prepare
    ssm.put(`${PREFIX}registration-enabled`, 'true');
    ssm.put(`${PREFIX}require-initial-access-token`, 'false');
    ssm.put(`${PREFIX}initial-access-token-scopes`, 'dcr:register dcr:admin');
    ssm.put(`${PREFIX}management-enabled`, 'on');
    ssm.put(`${PREFIX}rotate-client-secret`, 'off');
    ssm.put(`${PREFIX}rotate-registration-access-token`, '0');
    ssm.put(`${PREFIX}allow-client-delete`, 'FALSE');
    ssm.put(`${PREFIX}extended-properties`, '[{"name":"tenant"},{"name":"roles","multiValued":true}]');
    ssm.put(`${PREFIX}registration-policies`, '{"caps":{"total":5}}');
    ssm.put(`${PREFIX}client-idle-lifetime`, '7776000');
    ssm.put(`${PREFIX}allow-non-public-server-uris`, 'on');

    // Act
    const current = await source(clock).current();

    // Assess
    const expected: Settings = {
      registrationEnabled: true,
      requireInitialAccessToken: false,
      initialAccessTokenScopes: ['dcr:register', 'dcr:admin'],
      managementEnabled: true,
      rotateClientSecret: false,
      rotateRegistrationAccessToken: false,
      allowClientDelete: false,
      extendedProperties: [
        { name: 'tenant', multiValued: false },
        { name: 'roles', multiValued: true },
      ],
      registrationPolicies: '{"caps":{"total":5}}',
      registrationAccessTokenGraceSeconds: 0,
      clientSecretRetentionSeconds: 0,
      clientSecretLifetimeSeconds: 0,
      clientIdleLifetimeSeconds: 7_776_000,
      allowNonPublicServerUris: true,
      clientIdMetadataDocumentsEnabled: false,
      clientIdMetadataDocumentHosts: [],
    };
    expect(current).toEqual(expected);
  });

  it('answers from its cache within the TTL without calling SSM again', async () => {
    // Prepare
    const settings = source(clock);
    const first = await settings.current();

    // Act
    clock.advanceSeconds(TTL_SECONDS - 0.001);
    const second = await settings.current();

    // Assess
    expect(requestCount()).toBe(1);
    expect(second).toEqual(first);
  });

  it('reads SSM again once the TTL has passed', async () => {
    // Prepare
    const settings = source(clock);
    await settings.current();

    // Act
    clock.advanceSeconds(TTL_SECONDS);
    await settings.current();

    // Assess
    expect(requestCount()).toBe(2);
  });

  it('shows an operator flip after the TTL and not before', async () => {
    // Prepare
    const settings = source(clock);
    expect((await settings.current()).registrationEnabled).toBe(false);

    // Act: the operator runs `aws ssm put-parameter --overwrite`
    ssm.put(`${PREFIX}registration-enabled`, 'true');
    clock.advanceSeconds(TTL_SECONDS - 1);
    const beforeTtl = await settings.current();
    clock.advanceSeconds(1);
    const afterTtl = await settings.current();

    // Assess
    expect(beforeTtl.registrationEnabled).toBe(false);
    expect(afterTtl.registrationEnabled).toBe(true);
    expect(requestCount()).toBe(2);
  });

  it('lets concurrent callers share one request', async () => {
    // Prepare: SSM answers only when released, so all callers wait on the same refresh
    let release!: () => void;
    ssm.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const settings = source(clock);

    // Act
    const pending = Array.from({ length: 10 }, () => settings.current());
    await until(() => ssm.requests.length === CALLS_PER_READ);
    release();
    const results = await Promise.all(pending);

    // Assess
    expect(requestCount()).toBe(1);
    for (const result of results) expect(result).toBe(results[0]);
  });

  it('gives a missing parameter (InvalidParameters) its documented default', async () => {
    // Prepare: a half-seeded stage; the other values differ from their defaults to show they are still read
    ssm.parameters.delete(`${PREFIX}allow-client-delete`);
    ssm.parameters.delete(`${PREFIX}initial-access-token-scopes`);
    ssm.put(`${PREFIX}registration-enabled`, 'true');

    // Act
    const { result: current, lines } = await capturedLogs(() => source(clock).current());

    // Assess
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'settings parameters missing; using defaults for them',
        parameters: expect.arrayContaining([`${PREFIX}allow-client-delete`, `${PREFIX}initial-access-token-scopes`]),
      }),
    ]);
    expect(current.allowClientDelete).toBe(true);
    expect(current.initialAccessTokenScopes).toEqual(['dcr:register']);
    expect(current.registrationEnabled).toBe(true);
  });

  it('rejects the first load with 503 temporarily_unavailable when a value does not parse', async () => {
    // Prepare
    ssm.put(`${PREFIX}require-initial-access-token`, 'maybe');

    // Act
    const error = await rejectionOf(source(clock).current());

    // Assess
    expect(error.status).toBe(503);
    expect(error.error).toBe('temporarily_unavailable');
    expect(error.headers['Retry-After']).toBeDefined();
    expect(error.description).not.toContain('maybe');
  });

  it('keeps the last good settings when a later value does not parse', async () => {
    // Prepare
    ssm.put(`${PREFIX}registration-enabled`, 'true');
    const settings = source(clock);
    const good = await settings.current();

    // Act: the operator mistypes two flags; one of them alone would flip a security setting
    ssm.put(`${PREFIX}registration-enabled`, 'maybe');
    ssm.put(`${PREFIX}require-initial-access-token`, 'false');
    clock.advanceSeconds(TTL_SECONDS);
    const after = await settings.current();

    // Assess
    expect(requestCount()).toBe(2);
    expect(after).toEqual(good);
    expect(after.requireInitialAccessToken).toBe(true);
  });

  it('keeps the last good settings when SSM fails after a good load', async () => {
    // Prepare
    ssm.put(`${PREFIX}management-enabled`, 'true');
    const settings = source(clock);
    const good = await settings.current();

    // Act
    ssm.always = ACCESS_DENIED;
    clock.advanceSeconds(TTL_SECONDS);
    const after = await settings.current();

    // Assess
    expect(requestCount()).toBe(2);
    expect(after).toEqual(good);
  });

  it('does not call SSM on every request after a failed refresh, and recovers after the next TTL', async () => {
    // Prepare
    const settings = source(clock);
    await settings.current();
    ssm.always = ACCESS_DENIED;
    clock.advanceSeconds(TTL_SECONDS);
    await settings.current();

    // Act
    clock.advanceSeconds(1);
    await settings.current();
    await settings.current();
    const callsWhileFailing = requestCount();
    ssm.put(`${PREFIX}registration-enabled`, 'true');
    ssm.always = undefined;
    clock.advanceSeconds(TTL_SECONDS);
    const recovered = await settings.current();

    // Assess
    expect(callsWhileFailing).toBe(2);
    expect(recovered.registrationEnabled).toBe(true);
    expect(requestCount()).toBe(3);
  });

  it('a throttled call is tried again: the settings, and nothing logged', async () => {
    // Prepare
    ssm.next.push(THROTTLED);

    // Act
    const { result: current, lines } = await capturedLogs(() => source(clock).current());

    // Assess
    expect(current).toEqual(DEFAULT_SETTINGS);
    expect(ssm.requests).toHaveLength(CALLS_PER_READ + 1);
    expect(lines).toEqual([]);
  });

  it('answers 503 temporarily_unavailable when SSM fails and no load has succeeded yet', async () => {
    // Prepare: throttled on every attempt
    ssm.always = THROTTLED;

    // Act
    const error = await rejectionOf(source(clock).current());

    // Assess
    expect(error.status).toBe(503);
    expect(error.error).toBe('temporarily_unavailable');
    expect(error.headers['Retry-After']).toBeDefined();
    expect(error.description).not.toContain('Rate exceeded');
  });

  it('tries SSM again on the next request after a failed first load', async () => {
    // Prepare
    ssm.next.push(ACCESS_DENIED);
    const settings = source(clock);
    await rejectionOf(settings.current());

    // Act
    const current = await settings.current();

    // Assess
    expect(current).toEqual(DEFAULT_SETTINGS);
    expect(requestCount()).toBe(2);
  });
  it('logs "settings could not be read" as the message of a failed first load, the error beside it', async () => {
    // Prepare
    ssm.always = THROTTLED;

    // Act
    const { lines } = await capturedLogs(() => rejectionOf(source(clock).current()));

    // Assess
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'settings could not be read',
        error: 'ThrottlingException',
        reason: 'Rate exceeded',
      }),
    ]);
  });

  it('logs "settings refresh failed; keeping the last values" as the message of a failed refresh', async () => {
    // Prepare
    const settings = source(clock);
    await settings.current();
    ssm.always = THROTTLED;
    clock.advanceSeconds(TTL_SECONDS);

    // Act
    const { lines } = await capturedLogs(() => settings.current());

    // Assess
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'settings refresh failed; keeping the last values', error: 'ThrottlingException' }),
    ]);
  });

  describe('a stored value that does not parse', () => {
    it.each([
      ['a blank scope group (would switch the scope check off)', 'initial-access-token-scopes', ' '],
      ['a misspelled boolean', 'require-initial-access-token', 'ture'],
      ['a blank boolean', 'registration-enabled', ' '],
      ['an extended property named like a standard field', 'extended-properties', '[{"name":"client_name"}]'],
      ['an extended property named like a response member', 'extended-properties', '[{"name":"registration_access_token"}]'],
      ['a registration policy document that is refused', 'registration-policies', '{"caps":{"total":-1}}'],
      ['a registration policy document that is not JSON', 'registration-policies', '{"caps":'],
    ])('%s: keeps the last good settings and logs naming the parameter', async (_case, parameter, raw) => {
      // Prepare
      ssm.put(`${PREFIX}registration-enabled`, 'true');
      const settings = source(clock);
      const good = await settings.current();
      ssm.put(PREFIX + parameter, raw);
      clock.advanceSeconds(TTL_SECONDS);

      // Act
      const { result: after, lines } = await capturedLogs(() => settings.current());

      // Assess
      expect(after).toEqual(good);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'settings refresh failed; keeping the last values',
          setting: PREFIX + parameter,
        }),
      );
    });

    it('on the first load: 503, and the log names the parameter', async () => {
      // Prepare
      ssm.put(`${PREFIX}initial-access-token-scopes`, ' ');

      // Act
      const { result: error, lines } = await capturedLogs(() => rejectionOf(source(clock).current()));

      // Assess
      expect(error.status).toBe(503);
      expect(lines).toEqual([
        expect.objectContaining({ level: 'error', message: 'settings could not be read', setting: `${PREFIX}initial-access-token-scopes` }),
      ]);
    });
  });
});
