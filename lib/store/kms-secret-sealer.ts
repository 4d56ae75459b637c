import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { temporarilyUnavailable } from '../errors.js';
import { AWS_CLIENT_TIMEOUTS, boundedCall, TIME_BUDGET } from '../time-budget.js';
import type { SecretSealer } from '../tokens/secret-sealer.js';

const KMS_PREFIX = 'kms1';
/**
 * The one key of the encryption context, whose value is the client's id. The functions' KMS grants
 * (infra/stateless-stack.ts) require exactly this context.
 */
export const SEALING_CONTEXT_KEY = 'client_id';

/**
 * AWS KMS: Encrypt/Decrypt with the stateful stack's key and the encryption context
 * {client_id}, so a ciphertext copied to another item does not decrypt. Stored as
 * `kms1.<base64 CiphertextBlob>`; the authorization server decrypts with the same context.
 * Only clients that need a recoverable secret cost a KMS call, on the requests that issue or return it.
 */
export class KmsSecretSealer implements SecretSealer {
  constructor(
    private readonly keyId: string,
    private readonly client: KMSClient = new KMSClient({ ...AWS_CLIENT_TIMEOUTS }),
  ) {}

  async seal(secret: string, clientId: string): Promise<string> {
    const command = new EncryptCommand({
      KeyId: this.keyId,
      Plaintext: Buffer.from(secret, 'utf8'),
      EncryptionContext: { [SEALING_CONTEXT_KEY]: clientId },
    });
    const output = await unavailableOnOutage(() =>
      boundedCall(TIME_BUDGET.awsCallMs, (abortSignal) => this.client.send(command, { abortSignal })),
    );
    return `${KMS_PREFIX}.${Buffer.from(output.CiphertextBlob!).toString('base64')}`;
  }

  async open(sealed: string, clientId: string): Promise<string> {
    const [prefix, blob] = sealed.split('.');
    if (prefix !== KMS_PREFIX || !blob) throw new Error('not a KMS-sealed secret');
    const command = new DecryptCommand({
      KeyId: this.keyId,
      CiphertextBlob: Buffer.from(blob, 'base64'),
      EncryptionContext: { [SEALING_CONTEXT_KEY]: clientId },
    });
    const output = await unavailableOnOutage(() =>
      boundedCall(TIME_BUDGET.awsCallMs, (abortSignal) => this.client.send(command, { abortSignal })),
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
  // a call aborted at its deadline (lib/time-budget.ts)
  'AbortError',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

async function unavailableOnOutage<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (OUTAGES.has((error as Error).name) || (code !== undefined && NETWORK.has(code))) {
      throw temporarilyUnavailable('the key service is busy or unavailable; retry shortly', 1, { cause: error });
    }
    throw error;
  }
}
