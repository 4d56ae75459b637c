import { X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, type JSONWebKeySet, type JWK } from 'jose';
import { InvalidClientError } from '../errors.js';

/** A certificate the TLS layer accepted: PEM text, DER bytes, or one parsed already. */
export type PresentedCertificate = string | Buffer | X509Certificate;

export function parseCertificate(presented: PresentedCertificate): X509Certificate {
  if (presented instanceof X509Certificate) return presented;
  try {
    return new X509Certificate(presented);
  } catch {
    throw new InvalidClientError('the presented client certificate is not a PEM or DER X.509 certificate');
  }
}

/** The certificate is inside its validity period (the TLS layer checks the chain; a self-signed one has none). */
export function checkValidity(certificate: X509Certificate, nowMs: number): void {
  if (nowMs < Date.parse(certificate.validFrom) || nowMs > Date.parse(certificate.validTo)) {
    throw new InvalidClientError('the presented client certificate is outside its validity period');
  }
}

/**
 * RFC 8705 §2.1.2 tls_client_auth: the certificate's subject equals the registered
 * tls_client_auth_subject_dn (an RFC 4514 string such as `CN=client,O=Example,C=US`). Compared as
 * sets of attribute=value pairs, attribute types and values case-insensitively, so the order Node
 * prints (C first) and the order RFC 4514 writes (CN first) agree.
 */
export function subjectMatches(certificate: X509Certificate, registeredDn: string): boolean {
  const expected = rfc4514Pairs(registeredDn);
  const actual = certificate.subject.split('\n').flatMap((line) => (line.trim() ? [pair(line)] : []));
  return expected.length > 0 && expected.length === actual.length && [...expected].sort().join('\n') === [...actual].sort().join('\n');
}

function rfc4514Pairs(dn: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < dn.length; index++) {
    const char = dn[index]!;
    if (char === '\\' && index + 1 < dn.length) {
      current += dn[++index];
      continue;
    }
    if (char === ',' || char === '+') {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts.filter((part) => part.trim()).map(pair);
}

function pair(text: string): string {
  const at = text.indexOf('=');
  const type = text.slice(0, at).trim().toUpperCase();
  const value = text
    .slice(at + 1)
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
  return `${type}=${value}`;
}

/**
 * RFC 8705 §2.2 self_signed_tls_client_auth: the certificate is one the client registered: the first
 * `x5c` certificate of a key in its jwks, or a key whose JWK thumbprint (RFC 7638) is the certificate's
 * public key's.
 */
export async function certificateInKeySet(certificate: X509Certificate, jwks: JSONWebKeySet): Promise<boolean> {
  const der = certificate.raw;
  const publicJwk = certificate.publicKey.export({ format: 'jwk' }) as JWK;
  const thumbprint = await calculateJwkThumbprint(publicJwk).catch(() => undefined);
  for (const key of jwks.keys) {
    const first = key.x5c?.[0];
    if (first !== undefined && Buffer.from(first, 'base64').equals(der)) return true;
    if (thumbprint !== undefined && (await calculateJwkThumbprint(key as JWK).catch(() => undefined)) === thumbprint) return true;
  }
  return false;
}
