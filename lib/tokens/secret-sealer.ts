import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Keeps a client secret recoverable: clients that authenticate with client_secret_jwt or use HS*
 * algorithms need the authorization server to hold the plaintext to check HMACs. The sealed value
 * is bound to the client id, so it cannot be moved to another client's item.
 */
export interface SecretSealer {
  seal(secret: string, clientId: string): Promise<string>;
  open(sealed: string, clientId: string): Promise<string>;
}

const LOCAL_PREFIX = 'local1';

/**
 * Local mode: AES-256-GCM with a key held by the process (DCR_LOCAL_SECRET_KEY, or one made at
 * start). Format `local1.<iv>.<ciphertext>.<tag>`, base64url parts, the client id as associated data.
 */
export class LocalSecretSealer implements SecretSealer {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the local secret key must be 32 bytes (base64url in DCR_LOCAL_SECRET_KEY)');
    this.key = key;
  }

  static generateKey(): Buffer {
    return randomBytes(32);
  }

  async seal(secret: string, clientId: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(clientId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [LOCAL_PREFIX, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  async open(sealed: string, clientId: string): Promise<string> {
    const [prefix, iv, ciphertext, tag] = sealed.split('.');
    if (prefix !== LOCAL_PREFIX || !iv || ciphertext === undefined || !tag) throw new Error('not a locally sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
      .setAAD(Buffer.from(clientId, 'utf8'))
      .setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
