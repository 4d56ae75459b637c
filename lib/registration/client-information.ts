import { clientUri } from '../http/paths.js';
import { json } from '../http/responses.js';
import type { HttpResponse } from '../http/types.js';
import type { ClientRecord } from './client.js';

export interface IssuedCredentials {
  /** Plaintext secret to hand out, when one was issued now (or is recoverable). */
  readonly clientSecret?: string;
  /** Plaintext registration access token to hand out; absent when management is off. */
  readonly registrationAccessToken?: string;
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the client information response. */
export function clientInformation(status: number, record: ClientRecord, credentials: IssuedCredentials, baseUrl: string): HttpResponse {
  const body: Record<string, unknown> = { client_id: record.clientId };
  if (credentials.clientSecret !== undefined) {
    body.client_secret = credentials.clientSecret;
    body.client_secret_expires_at = record.secretExpiresAt ?? 0;
  }
  body.client_id_issued_at = record.issuedAt;
  if (credentials.registrationAccessToken !== undefined) {
    body.registration_access_token = credentials.registrationAccessToken;
    body.registration_client_uri = clientUri(baseUrl, record.clientId);
  }
  return json(status, Object.assign(body, record.metadata));
}
