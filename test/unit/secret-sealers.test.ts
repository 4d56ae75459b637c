// Recoverable client secrets: the local AES-256-GCM sealer with real keys, and the KMS sealer against
// aws-sdk-client-mock (no KMS emulator runs here), checking what it sends and how it fails.
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { KmsSecretSealer } from '../../lib/store/kms-secret-sealer.js';
import { LocalSecretSealer } from '../../lib/tokens/secret-sealer.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('LocalSecretSealer', () => {
  const sealer = new LocalSecretSealer(LocalSecretSealer.generateKey());

  it('opens what it sealed, for the same client', async () => {
    const sealed = await sealer.seal('s3cret-value', 'client-a');

    expect(sealed).toMatch(/^local1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('s3cret-value');
    expect(await sealer.open(sealed, 'client-a')).toBe('s3cret-value');
  });

  it('gives a different ciphertext each time (random IV)', async () => {
    expect(await sealer.seal('same', 'client-a')).not.toBe(await sealer.seal('same', 'client-a'));
  });

  it('refuses to open a secret sealed for another client', async () => {
    const sealed = await sealer.seal('s3cret-value', 'client-a');

    await expect(sealer.open(sealed, 'client-b')).rejects.toThrow();
  });

  it('refuses a tampered ciphertext and another key', async () => {
    const sealed = await sealer.seal('s3cret-value', 'client-a');
    const [prefix, iv, ciphertext, tag] = sealed.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64url');
    flipped[0]! ^= 1;

    await expect(sealer.open([prefix, iv, flipped.toString('base64url'), tag].join('.'), 'client-a')).rejects.toThrow();
    await expect(new LocalSecretSealer(LocalSecretSealer.generateKey()).open(sealed, 'client-a')).rejects.toThrow();
  });

  it('needs a 32-byte key', () => {
    expect(() => new LocalSecretSealer(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('KmsSecretSealer', () => {
  const kms = mockClient(KMSClient);
  afterEach(() => kms.reset());

  it('encrypts with the key and the client id as encryption context, and stores the blob with its prefix', async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from('opaque-blob') });
    const sealer = new KmsSecretSealer(KEY_ARN, new KMSClient({ region: 'eu-west-1' }));

    const sealed = await sealer.seal('s3cret-value', 'client-a');

    expect(sealed).toBe(`kms1.${Buffer.from('opaque-blob').toString('base64')}`);
    const [call] = kms.commandCalls(EncryptCommand);
    expect(call!.args[0].input.KeyId).toBe(KEY_ARN);
    expect(call!.args[0].input.EncryptionContext).toEqual({ client_id: 'client-a' });
    expect(Buffer.from(call!.args[0].input.Plaintext!).toString('utf8')).toBe('s3cret-value');
  });

  it('decrypts with the same encryption context', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from('s3cret-value') });
    const sealer = new KmsSecretSealer(KEY_ARN, new KMSClient({ region: 'eu-west-1' }));

    const secret = await sealer.open(`kms1.${Buffer.from('opaque-blob').toString('base64')}`, 'client-a');

    expect(secret).toBe('s3cret-value');
    const [call] = kms.commandCalls(DecryptCommand);
    expect(Buffer.from(call!.args[0].input.CiphertextBlob!).toString()).toBe('opaque-blob');
    expect(call!.args[0].input.EncryptionContext).toEqual({ client_id: 'client-a' });
  });

  it('refuses a value that is not KMS-sealed without calling KMS', async () => {
    const sealer = new KmsSecretSealer(KEY_ARN, new KMSClient({ region: 'eu-west-1' }));

    await expect(sealer.open('local1.a.b.c', 'client-a')).rejects.toThrow(/not a KMS-sealed secret/);
    expect(kms.calls()).toHaveLength(0);
  });

  it('turns KMS throttling into 503 temporarily_unavailable', async () => {
    kms.on(EncryptCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const sealer = new KmsSecretSealer(KEY_ARN, new KMSClient({ region: 'eu-west-1', maxAttempts: 1 }));

    const failure = await sealer.seal('s3cret-value', 'client-a').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RegistrationError);
    expect(failure).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
  });

  it('lets an access-denied error through as it is (a 500: our configuration, not an outage)', async () => {
    kms.on(DecryptCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const sealer = new KmsSecretSealer(KEY_ARN, new KMSClient({ region: 'eu-west-1', maxAttempts: 1 }));

    const failure = await sealer.open(`kms1.${Buffer.from('x').toString('base64')}`, 'client-a').catch((error: unknown) => error);

    expect(failure).not.toBeInstanceOf(RegistrationError);
    expect((failure as Error).name).toBe('AccessDeniedException');
  });
});
