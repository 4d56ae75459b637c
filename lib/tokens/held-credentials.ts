import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import type { RandomSource } from './secrets.js';

// Registration Access Token Grace: the answer of a rotation (the new token, and the new secret when
// one was issued) is kept on the item, encrypted under a key derived from the token that asked for it.
// The table holds only that token's hash, so nobody who reads the table can open it; the token's
// holder can, which lets a caller whose answer was lost get the very same credentials again.
// AES-256-GCM; the key is HKDF-SHA256 of the token, bound to the client id.

const VERSION = 'h1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface HeldCredentials {
  readonly registrationAccessToken: string;
  /** The client secret issued with it, when one was. */
  readonly clientSecret?: string;
  /** Names the request that was answered (method and a digest of its body): a repeat of it gets the same answer. */
  readonly request: string;
  /** Made by the previous token itself: that token may repeat this request, and make no other. */
  readonly spent?: boolean;
}

function keyFor(token: string, clientId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(token, 'utf8'), Buffer.alloc(0), `dcr held credentials ${clientId}`, 32));
}

export function sealForHolder(token: string, clientId: string, credentials: HeldCredentials, random: RandomSource): string {
  const iv = random(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(token, clientId), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The credentials, or undefined when the token is not the one they were sealed for (or the text is damaged). */
export function openWithToken(token: string, clientId: string, sealed: string): HeldCredentials | undefined {
  if (!sealed.startsWith(`${VERSION}.`)) return undefined;
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(token, clientId), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    const parsed = JSON.parse(text) as HeldCredentials;
    return typeof parsed.registrationAccessToken === 'string' && typeof parsed.request === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
