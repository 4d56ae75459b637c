import type { ClientMetadata } from '../metadata/client-metadata.js';
import type { ClientRecord } from '../registration/client.js';

// The item layout the authorization server reads (docs/item-layout.md). Attribute names are
// snake_case like the protocol's; metadata is one map so a PUT replaces it whole.
export const ATTR = {
  clientId: 'client_id',
  issuedAt: 'client_id_issued_at',
  metadata: 'metadata',
  secretHash: 'client_secret_hash',
  secretSealed: 'client_secret_sealed',
  secretExpiresAt: 'client_secret_expires_at',
  registrationTokenHash: 'registration_access_token_hash',
  version: 'version',
  updatedAt: 'updated_at',
  policyLists: 'registration_policy_lists',
  registeredBy: 'registered_by',
  quotaCounters: 'quota_counters',
  previousSecretHash: 'previous_client_secret_hash',
  previousSecretValidUntil: 'previous_client_secret_valid_until',
  previousSecretExpiresAt: 'previous_client_secret_expires_at',
  previousRegistrationTokenHash: 'previous_registration_access_token_hash',
  previousRegistrationTokenValidUntil: 'previous_registration_access_token_valid_until',
  pendingCredentials: 'pending_credentials',
  disabled: 'disabled',
  /** The table's TTL attribute (infra/stateful-stack.ts). */
  idleExpiresAt: 'idle_expires_at',
  lastRequestId: 'last_request_id',
} as const;

export interface ClientItem {
  client_id: string;
  client_id_issued_at: number;
  metadata: ClientMetadata;
  client_secret_hash?: string;
  client_secret_sealed?: string;
  client_secret_expires_at?: number;
  registration_access_token_hash?: string;
  version: number;
  updated_at: number;
  registration_policy_lists?: string[];
  registered_by?: string;
  quota_counters?: string[];
  previous_client_secret_hash?: string;
  previous_client_secret_valid_until?: number;
  previous_client_secret_expires_at?: number;
  previous_registration_access_token_hash?: string;
  previous_registration_access_token_valid_until?: number;
  pending_credentials?: string;
  disabled?: boolean;
  idle_expires_at?: number;
  last_request_id?: string;
}

export function toItem(record: ClientRecord): ClientItem {
  return {
    client_id: record.clientId,
    client_id_issued_at: record.issuedAt,
    metadata: record.metadata,
    client_secret_hash: record.secretHash,
    client_secret_sealed: record.secretSealed,
    client_secret_expires_at: record.secretHash === undefined ? undefined : (record.secretExpiresAt ?? 0),
    registration_access_token_hash: record.registrationTokenHash,
    version: record.version,
    updated_at: record.updatedAt,
    registration_policy_lists: record.policyLists?.length ? [...record.policyLists] : undefined,
    registered_by: record.registeredBy,
    quota_counters: record.quotaCounters?.length ? [...record.quotaCounters] : undefined,
    previous_client_secret_hash: record.previousSecretHash,
    previous_client_secret_valid_until: record.previousSecretValidUntil,
    previous_client_secret_expires_at: record.previousSecretExpiresAt,
    previous_registration_access_token_hash: record.previousRegistrationTokenHash,
    previous_registration_access_token_valid_until: record.previousRegistrationTokenValidUntil,
    pending_credentials: record.pendingCredentials,
    disabled: record.disabled || undefined,
    idle_expires_at: record.idleExpiresAt,
    last_request_id: record.lastRequestId,
  };
}

export function toRecord(item: ClientItem): ClientRecord {
  return {
    clientId: item.client_id,
    issuedAt: item.client_id_issued_at,
    metadata: item.metadata,
    secretHash: item.client_secret_hash,
    secretSealed: item.client_secret_sealed,
    secretExpiresAt: item.client_secret_expires_at,
    registrationTokenHash: item.registration_access_token_hash,
    version: item.version,
    updatedAt: item.updated_at,
    policyLists: item.registration_policy_lists,
    registeredBy: item.registered_by,
    quotaCounters: item.quota_counters,
    previousSecretHash: item.previous_client_secret_hash,
    previousSecretValidUntil: item.previous_client_secret_valid_until,
    previousSecretExpiresAt: item.previous_client_secret_expires_at,
    previousRegistrationTokenHash: item.previous_registration_access_token_hash,
    previousRegistrationTokenValidUntil: item.previous_registration_access_token_valid_until,
    pendingCredentials: item.pending_credentials,
    disabled: item.disabled || undefined,
    idleExpiresAt: item.idle_expires_at,
    lastRequestId: item.last_request_id,
  };
}
