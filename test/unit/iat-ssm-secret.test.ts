// SSM cannot run on this machine (no emulator, no network): a local SSM (test/support/ssm-server.ts)
// answers GetParameter like a SecureString parameter would, checking each request's signature.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { SsmSecureString } from '../../lib/settings/ssm-secure-string.js';
import { capturedLogs } from '../support/log-capture.js';
import { ACCESS_DENIED, LocalSsm, noBackOff } from '../support/ssm-server.js';

const NAME = '/dcr/test/introspection-client-secret';
const ssm = new LocalSsm();

class Clock {
  millis = 1_700_000_000_000;
  readonly now = () => this.millis;
}

function secretParameter(clock = new Clock()) {
  return new SsmSecureString({
    name: NAME,
    label: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER',
    reader: ssm.reader({ retry: noBackOff() }),
    now: clock.now,
  });
}

describe('SsmSecureString (the introspection client secret in AWS)', () => {
  beforeAll(async () => {
    await ssm.start();
  });
  afterAll(() => ssm.close());
  beforeEach(() => ssm.reset());
  afterEach(() => ssm.settled());

  it('reads the parameter once, decrypted, however often and concurrently it is asked for', async () => {
    ssm.put(NAME, 's3cret', 'SecureString');
    const secret = secretParameter();

    const values = await Promise.all([secret.get(), secret.get(), secret.get()]);
    values.push(await secret.get());

    expect(values).toEqual(['s3cret', 's3cret', 's3cret', 's3cret']);
    expect(ssm.inputs('GetParameter')).toEqual([{ Name: NAME, WithDecryption: true }]);
    expect(ssm.badSignatures).toEqual([]);
  });

  it('a failed read is a 503 naming the setting, not the value, and the next call reads again', async () => {
    ssm.put(NAME, 's3cret', 'SecureString');
    ssm.next.push(ACCESS_DENIED);
    const secret = secretParameter();

    const error = await secret.get().catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(RegistrationError);
    expect({ status: (error as RegistrationError).status, error: (error as RegistrationError).error }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
    });
    expect((error as RegistrationError).description).toContain('DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER');
    expect(await secret.get()).toBe('s3cret');
    expect(ssm.inputs('GetParameter')).toHaveLength(2);
  });

  it('a missing parameter: 503, and the log names the parameter and ParameterNotFound', async () => {
    const { result: error, lines } = await capturedLogs(() =>
      secretParameter()
        .get()
        .catch((reason: unknown) => reason),
    );

    expect(error).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'a secret parameter could not be read',
        parameter: NAME,
        error: 'ParameterNotFound',
      }),
    ]);
  });

  it('an empty parameter is a failed read too', async () => {
    ssm.put(NAME, '', 'SecureString');

    await expect(secretParameter().get()).rejects.toMatchObject({ status: 503 });
  });

  it('the value never reaches a log line, read or failed', async () => {
    ssm.put(NAME, 'never-logged-s3cret', 'SecureString');
    const secret = secretParameter();

    const { lines } = await capturedLogs(async () => {
      await secret.get();
      ssm.next.push(ACCESS_DENIED);
      await secretParameter()
        .get()
        .catch(() => undefined);
    });

    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain('never-logged-s3cret');
  });

  it('invalidate reads the (rotated) value again, at most once a minute', async () => {
    ssm.put(NAME, 'old', 'SecureString');
    const clock = new Clock();
    const secret = secretParameter(clock);
    await secret.get();
    ssm.put(NAME, 'new', 'SecureString');

    clock.millis += 30_000;
    secret.invalidate();
    const tooSoon = await secret.get();
    clock.millis += 30_000;
    secret.invalidate();
    const rotated = await secret.get();

    expect({ tooSoon, rotated, reads: ssm.inputs('GetParameter').length }).toEqual({ tooSoon: 'old', rotated: 'new', reads: 2 });
  });
});
