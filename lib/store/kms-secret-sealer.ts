import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { temporarilyUnavailable } from '../errors.js';
import type { SecretSealer } from '../tokens/secret-sealer.js';

const KMS_PREFIX = 'kms1';

/**
 * AWS KMS: Encrypt/Decrypt with the stateful stack's key and the encryption context
 * {client_id}, so a ciphertext copied to another item does not decrypt. Stored as
 * `kms1.<base64 CiphertextBlob>`; the authorization server decrypts with the same context.
 * Only clients that need a recoverable secret cost a KMS call, on the requests that issue or return it.
 */
export class KmsSecretSealer implements SecretSealer {
  constructor(
    private readonly keyId: string,
    private readonly client: KMSClient = new KMSClient({ maxAttempts: 3 }),
  ) {}

  async seal(secret: string, clientId: string): Promise<string> {
    const output = await unavailableOnOutage(() =>
      this.client.send(
        new EncryptCommand({ KeyId: this.keyId, Plaintext: Buffer.from(secret, 'utf8'), EncryptionContext: { client_id: clientId } }),
      ),
    );
    return `${KMS_PREFIX}.${Buffer.from(output.CiphertextBlob!).toString('base64')}`;
  }

  async open(sealed: string, clientId: string): Promise<string> {
    const [prefix, blob] = sealed.split('.');
    if (prefix !== KMS_PREFIX || !blob) throw new Error('not a KMS-sealed secret');
    const output = await unavailableOnOutage(() =>
      this.client.send(
        new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: Buffer.from(blob, 'base64'), EncryptionContext: { client_id: clientId } }),
      ),
    );
    return Buffer.from(output.Plaintext!).toString('utf8');
  }
}

const OUTAGES = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'TimeoutError',
]);

async function unavailableOnOutage<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (OUTAGES.has((error as Error).name)) {
      throw temporarilyUnavailable('the key service is busy or unavailable; retry shortly', 1, { cause: error });
    }
    throw error;
  }
}
