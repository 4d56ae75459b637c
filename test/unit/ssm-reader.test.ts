// The SSM reader against a local SSM (test/support/ssm-server.ts) that checks every request's SigV4
// signature with the known static credentials.
import { StandardRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SsmReader } from '../../lib/settings/ssm-reader.js';
import { boundedCall, CallTimeoutError } from '../../lib/time-budget.js';
import { ACCESS_DENIED, awsPieces, LocalSsm, noBackOff, SSM_CREDENTIALS, THROTTLED } from '../support/ssm-server.js';

const open = () => new AbortController().signal;

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason as Error,
  );
}

describe('SsmReader', () => {
  const ssm = new LocalSsm();
  let reader: SsmReader;

  beforeAll(async () => {
    await ssm.start();
  });
  afterAll(() => ssm.close());
  beforeEach(() => {
    ssm.reset();
    reader = ssm.reader({ retry: noBackOff() });
  });

  it('GetParameters: the values found, the names not found, in one signed request', async () => {
    ssm.put('/dcr/a', 'one');
    ssm.put('/dcr/b', 'two');

    const output = await reader.getParameters(['/dcr/a', '/dcr/missing', '/dcr/b'], open());

    expect(output.Parameters?.map(({ Name, Value }) => ({ Name, Value }))).toEqual([
      { Name: '/dcr/a', Value: 'one' },
      { Name: '/dcr/b', Value: 'two' },
    ]);
    expect(output.InvalidParameters).toEqual(['/dcr/missing']);
    expect(ssm.requests).toEqual([{ operation: 'GetParameters', input: { Names: ['/dcr/a', '/dcr/missing', '/dcr/b'] } }]);
    expect(ssm.badSignatures).toEqual([]);
  });

  it('GetParameter WithDecryption: the decrypted value of a SecureString', async () => {
    ssm.put('/dcr/secret', 's3cret', 'SecureString');

    const output = await reader.getParameter('/dcr/secret', true, open());

    expect(output.Parameter?.Value).toBe('s3cret');
    expect(ssm.inputs('GetParameter')).toEqual([{ Name: '/dcr/secret', WithDecryption: true }]);
  });

  describe('the signature is checked (so these tests can fail)', () => {
    it.each([
      ['another region', { region: async () => 'us-east-1' }, /signed for region us-east-1/],
      ['other credentials', { credentials: { ...SSM_CREDENTIALS, secretAccessKey: 'wrong' } }, /signature does not match/],
      [
        'no session token',
        { credentials: { accessKeyId: SSM_CREDENTIALS.accessKeyId, secretAccessKey: SSM_CREDENTIALS.secretAccessKey } },
        /no session token/,
      ],
    ])('signed for %s: refused', async (_case, overrides, problem) => {
      const wrong = ssm.reader({ aws: awsPieces(overrides), retry: noBackOff() });

      const error = await rejection(wrong.getParameters(['/dcr/a'], open()));

      expect(error.name).toBe('InvalidSignatureException');
      expect(ssm.badSignatures).toEqual([expect.stringMatching(problem)]);
      expect(ssm.requests).toEqual([]);
    });
  });

  describe('error answers are named as the SDK names them', () => {
    it('from __type (after #), with the message and the status', async () => {
      const error = await rejection(reader.getParameter('/dcr/none', true, open()));

      expect({ name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }).toEqual({
        name: 'ParameterNotFound',
        message: '',
        status: 400,
      });
    });

    it('from the x-amzn-errortype header', async () => {
      ssm.next.push({ ...ACCESS_DENIED, viaHeader: true });

      const error = await rejection(reader.getParameters(['/dcr/a'], open()));

      expect({ name: error.name, message: error.message }).toEqual({ name: 'AccessDeniedException', message: 'denied' });
    });
  });

  describe('retries, as the SDK standard mode', () => {
    it('a throttled request is tried again (with the standard back-off)', async () => {
      ssm.put('/dcr/a', 'one');
      ssm.next.push(THROTTLED);
      const standard = ssm.reader();

      const output = await standard.getParameters(['/dcr/a'], open());

      expect(output.Parameters?.[0]?.Value).toBe('one');
      expect(ssm.requests).toHaveLength(2);
    });

    it.each([
      ['a 500', { kind: 'error', status: 500, type: 'InternalServerError', message: 'oops' }],
      ['a 503', { kind: 'error', status: 503, type: 'ServiceUnavailable', message: 'busy' }],
      ['a cut connection', { kind: 'reset' }],
    ] as const)('%s is tried again', async (_case, trouble) => {
      ssm.put('/dcr/a', 'one');
      ssm.next.push(trouble);

      const output = await reader.getParameters(['/dcr/a'], open());

      expect(output.Parameters?.[0]?.Value).toBe('one');
      expect(ssm.requests).toHaveLength(2);
    });

    it('a request refused for a skewed clock is tried again with the clock of the answer, and later ones use it at once', async () => {
      ssm.put('/dcr/a', 'one');
      ssm.clockSkewMs = 10 * 60_000;

      const first = await reader.getParameters(['/dcr/a'], open());
      const refusedFirst = [...ssm.badSignatures];
      const second = await reader.getParameters(['/dcr/a'], open());

      expect([first.Parameters?.[0]?.Value, second.Parameters?.[0]?.Value]).toEqual(['one', 'one']);
      expect(refusedFirst).toEqual([expect.stringMatching(/^Signature expired/)]);
      expect({ requests: ssm.requests.length, refused: ssm.badSignatures.length }).toEqual({ requests: 2, refused: 1 });
    });

    it('at most 3 attempts: then the last error', async () => {
      ssm.always = THROTTLED;

      const error = await rejection(reader.getParameters(['/dcr/a'], open()));

      expect({ name: error.name, message: error.message }).toEqual({ name: 'ThrottlingException', message: 'Rate exceeded' });
      expect(ssm.requests).toHaveLength(3);
    });

    it('a client error is not tried again', async () => {
      ssm.always = ACCESS_DENIED;

      const error = await rejection(reader.getParameters(['/dcr/a'], open()));

      expect(error.name).toBe('AccessDeniedException');
      expect(ssm.requests).toHaveLength(1);
    });

    it('no attempt starts after the call deadline, even when the back-off ends after it', async () => {
      ssm.always = { kind: 'reset' };
      const slowBackOff = new StandardRetryStrategy({
        maxAttempts: 3,
        backoff: { computeNextBackoffDelay: () => 300, setDelayBase: () => undefined },
      });
      const patient = ssm.reader({ retry: slowBackOff });

      const error = await rejection(boundedCall(100, (signal) => patient.getParameters(['/dcr/a'], signal)));
      // past the back-off: a retry that ignored the deadline would have arrived by now
      await new Promise((resolve) => setTimeout(resolve, 400));

      expect(error).toBeInstanceOf(CallTimeoutError);
      expect(ssm.requests).toHaveLength(1);
    });

    it('a stalled attempt is cut at the call deadline', async () => {
      ssm.always = { kind: 'stall' };

      const error = await rejection(boundedCall(100, (signal) => reader.getParameters(['/dcr/a'], signal)));

      expect(error).toBeInstanceOf(CallTimeoutError);
      expect(ssm.requests).toHaveLength(1);
    });
  });
});
