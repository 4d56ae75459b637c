// SSM cannot run on this machine (no emulator, no network): the SSM client is replaced by
// aws-sdk-client-mock, which answers GetParameter like a SecureString parameter would.
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { SsmSecureString } from '../../lib/settings/ssm-secure-string.js';

const NAME = '/dcr/test/introspection-client-secret';
const client = new SSMClient({ region: 'eu-west-1' });
const ssm = mockClient(client);

class Clock {
  millis = 1_700_000_000_000;
  readonly now = () => this.millis;
}

function secretParameter(clock = new Clock()) {
  return new SsmSecureString({ name: NAME, label: 'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER', client, now: clock.now });
}

const answer = (value: string) => ({ Parameter: { Name: NAME, Type: 'SecureString' as const, Value: value } });

describe('SsmSecureString (the introspection client secret in AWS)', () => {
  afterEach(() => {
    ssm.reset();
  });

  it('reads the parameter once, decrypted, however often and concurrently it is asked for', async () => {
    ssm.on(GetParameterCommand).resolves(answer('s3cret'));
    const secret = secretParameter();

    const values = await Promise.all([secret.get(), secret.get(), secret.get()]);
    values.push(await secret.get());

    expect(values).toEqual(['s3cret', 's3cret', 's3cret', 's3cret']);
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([{ Name: NAME, WithDecryption: true }]);
  });

  it('a failed read is a 503 naming the setting, not the value, and the next call reads again', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves(answer('s3cret'));
    const secret = secretParameter();

    const error = await secret.get().catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(RegistrationError);
    expect({ status: (error as RegistrationError).status, error: (error as RegistrationError).error }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
    });
    expect((error as RegistrationError).description).toContain('DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER');
    expect(await secret.get()).toBe('s3cret');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('an empty parameter is a failed read too', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME } });

    await expect(secretParameter().get()).rejects.toMatchObject({ status: 503 });
  });

  it('invalidate reads the (rotated) value again, at most once a minute', async () => {
    ssm.on(GetParameterCommand).resolvesOnce(answer('old')).resolvesOnce(answer('new')).resolves(answer('newer'));
    const clock = new Clock();
    const secret = secretParameter(clock);
    await secret.get();

    clock.millis += 30_000;
    secret.invalidate();
    const tooSoon = await secret.get();
    clock.millis += 30_000;
    secret.invalidate();
    const rotated = await secret.get();

    expect({ tooSoon, rotated, reads: ssm.commandCalls(GetParameterCommand).length }).toEqual({ tooSoon: 'old', rotated: 'new', reads: 2 });
  });
});
