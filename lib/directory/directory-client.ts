import type { ClientMetadata } from '../metadata/client-metadata.js';

/** Where a directory client comes from: this service's table, or a Client ID Metadata Document. */
export type ClientSource = 'registered' | 'metadata-document';

/** What an authorization server learns about a client: its metadata, never a hash or a sealed secret. */
export interface DirectoryClient {
  readonly clientId: string;
  readonly source: ClientSource;
  /** Registered metadata with defaults (token_endpoint_auth_method, application_type, grant and response types, ...). */
  readonly metadata: ClientMetadata;
  /** Seconds since the epoch (registered clients; for a metadata document, when it was fetched). */
  readonly issuedAt: number;
  /** 0 = never; absent for clients without a secret. */
  readonly secretExpiresAt?: number;
}

/** The method the client registered; RFC 7591 §2's default when it sent none. */
export function registeredAuthMethod(client: DirectoryClient): string {
  return (client.metadata.token_endpoint_auth_method as string | undefined) ?? 'client_secret_basic';
}
