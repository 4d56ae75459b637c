// SSM cannot run on this machine (no emulator, no network): the SSM client is replaced by
// aws-sdk-client-mock, which answers GetParameters from an in-memory parameter store below.
import { GetParametersCommand, type GetParametersCommandInput, type GetParametersCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { DEFAULT_SETTINGS, SETTINGS, type Settings } from '../../lib/settings/catalog.js';
import { checkRegistrationPolicies } from '../../lib/settings/policies-check.js';
import { SsmSettingsSource } from '../../lib/settings/ssm-settings.js';
import { capturedLogs } from '../support/log-capture.js';

const PREFIX = '/dcr/test/';
const TTL_SECONDS = 15;
const ssm = mockClient(SSMClient);

/** The parameters as the stack seeds them, keyed by full name; tests change values like an operator would. */
function seededParameters(): Map<string, string> {
  return new Map(SETTINGS.map((definition) => [PREFIX + definition.parameter, definition.defaultValue]));
}

/** Answers GetParameters like SSM: found names in Parameters, the others in InvalidParameters. */
function answerFrom(parameters: Map<string, string>) {
  return (input: GetParametersCommandInput): GetParametersCommandOutput => {
    const names = input.Names ?? [];
    return {
      $metadata: {},
      Parameters: names.filter((name) => parameters.has(name)).map((name) => ({ Name: name, Value: parameters.get(name), Type: 'String' })),
      InvalidParameters: names.filter((name) => !parameters.has(name)),
    };
  };
}

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
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
    client: new SSMClient({ region: 'eu-west-1' }),
    now: clock.now,
    check: checkRegistrationPolicies,
  });
}

// GetParameters takes at most 10 names: one read of the settings is this many parallel calls.
const CALLS_PER_READ = Math.ceil(SETTINGS.length / 10);

/** Reads of the settings (each CALLS_PER_READ GetParameters calls). */
function requestCount(): number {
  return ssm.commandCalls(GetParametersCommand).length / CALLS_PER_READ;
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
  let parameters: Map<string, string>;
  let clock: Clock;

  beforeEach(() => {
    ssm.reset();
    parameters = seededParameters();
    ssm.on(GetParametersCommand).callsFake(answerFrom(parameters));
    clock = new Clock();
  });

  afterEach(() => {
    ssm.reset();
  });

  it('reads every setting in GetParameters calls of at most 10 names, naming each parameter under the prefix', async () => {
    // Prepare
    const settings = source(clock);

    // Act
    const current = await settings.current();

    // Assess
    const calls = ssm.commandCalls(GetParametersCommand);
    expect(calls).toHaveLength(CALLS_PER_READ);
    for (const call of calls) expect(call.args[0].input.Names!.length).toBeLessThanOrEqual(10);
    expect(calls.flatMap((call) => call.args[0].input.Names)).toEqual(SETTINGS.map((definition) => PREFIX + definition.parameter));
    expect(current).toEqual(DEFAULT_SETTINGS);
  });

  it('maps each parameter value onto its setting', async () => {
    // Prepare
    parameters.set(`${PREFIX}registration-enabled`, 'true');
    parameters.set(`${PREFIX}require-initial-access-token`, 'false');
    parameters.set(`${PREFIX}initial-access-token-scopes`, 'dcr:register dcr:admin');
    parameters.set(`${PREFIX}management-enabled`, 'on');
    parameters.set(`${PREFIX}rotate-client-secret`, 'off');
    parameters.set(`${PREFIX}rotate-registration-access-token`, '0');
    parameters.set(`${PREFIX}allow-client-delete`, 'FALSE');
    parameters.set(`${PREFIX}extended-properties`, '[{"name":"tenant"},{"name":"roles","multiValued":true}]');
    parameters.set(`${PREFIX}registration-policies`, '{"caps":{"total":5}}');
    parameters.set(`${PREFIX}client-idle-lifetime`, '7776000');
    parameters.set(`${PREFIX}allow-non-public-server-uris`, 'on');

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
    parameters.set(`${PREFIX}registration-enabled`, 'true');
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
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answer = answerFrom(parameters);
    ssm.on(GetParametersCommand).callsFake(async (input: GetParametersCommandInput) => {
      await released;
      return answer(input);
    });
    const settings = source(clock);

    // Act
    const pending = Array.from({ length: 10 }, () => settings.current());
    release();
    const results = await Promise.all(pending);

    // Assess
    expect(requestCount()).toBe(1);
    for (const result of results) expect(result).toBe(results[0]);
  });

  it('gives a missing parameter (InvalidParameters) its documented default', async () => {
    // Prepare: a half-seeded stage; the other values differ from their defaults to show they are still read
    parameters.delete(`${PREFIX}allow-client-delete`);
    parameters.delete(`${PREFIX}initial-access-token-scopes`);
    parameters.set(`${PREFIX}registration-enabled`, 'true');

    // Act
    const current = await source(clock).current();

    // Assess
    expect(current.allowClientDelete).toBe(true);
    expect(current.initialAccessTokenScopes).toEqual(['dcr:register']);
    expect(current.registrationEnabled).toBe(true);
  });

  it('rejects the first load with 503 temporarily_unavailable when a value does not parse', async () => {
    // Prepare
    parameters.set(`${PREFIX}require-initial-access-token`, 'maybe');

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
    parameters.set(`${PREFIX}registration-enabled`, 'true');
    const settings = source(clock);
    const good = await settings.current();

    // Act: the operator mistypes two flags; one of them alone would flip a security setting
    parameters.set(`${PREFIX}registration-enabled`, 'maybe');
    parameters.set(`${PREFIX}require-initial-access-token`, 'false');
    clock.advanceSeconds(TTL_SECONDS);
    const after = await settings.current();

    // Assess
    expect(requestCount()).toBe(2);
    expect(after).toEqual(good);
    expect(after.requireInitialAccessToken).toBe(true);
  });

  it('keeps the last good settings when SSM fails after a good load', async () => {
    // Prepare
    parameters.set(`${PREFIX}management-enabled`, 'true');
    const settings = source(clock);
    const good = await settings.current();

    // Act
    ssm.on(GetParametersCommand).rejects(throttled());
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
    ssm.on(GetParametersCommand).rejects(throttled());
    clock.advanceSeconds(TTL_SECONDS);
    await settings.current();

    // Act
    clock.advanceSeconds(1);
    await settings.current();
    await settings.current();
    const callsWhileFailing = requestCount();
    parameters.set(`${PREFIX}registration-enabled`, 'true');
    ssm.on(GetParametersCommand).callsFake(answerFrom(parameters));
    clock.advanceSeconds(TTL_SECONDS);
    const recovered = await settings.current();

    // Assess
    expect(callsWhileFailing).toBe(2);
    expect(recovered.registrationEnabled).toBe(true);
    expect(requestCount()).toBe(3);
  });

  it('answers 503 temporarily_unavailable when SSM fails and no load has succeeded yet', async () => {
    // Prepare
    ssm.on(GetParametersCommand).rejects(throttled());

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
    ssm.on(GetParametersCommand).rejectsOnce(throttled()).callsFake(answerFrom(parameters));
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
    ssm.on(GetParametersCommand).rejects(throttled());

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
    ssm.on(GetParametersCommand).rejects(throttled());
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
      parameters.set(`${PREFIX}registration-enabled`, 'true');
      const settings = source(clock);
      const good = await settings.current();
      parameters.set(PREFIX + parameter, raw);
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
      parameters.set(`${PREFIX}initial-access-token-scopes`, ' ');

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
