import type { SectorIdentifierFetcher } from '../metadata/sector-identifier.js';
import type { ClientQuota } from '../policies/client-quota.js';
import type { SettingsSource } from '../settings/settings-source.js';
import type { InitialAccessTokenVerifier } from '../tokens/initial-access-token.js';
import type { SecretSealer } from '../tokens/secret-sealer.js';
import type { RandomSource } from '../tokens/secrets.js';
import type { ClientStore } from './client.js';

/** The ports the use cases run on; lib/runtime.ts builds them once per container. */
export interface RegistrationDependencies {
  /** Absent when no table is configured: registration is then inactive (503). */
  readonly store?: ClientStore;
  /** Counters of the client caps (registration policies); needed only when caps are configured. */
  readonly quota?: ClientQuota;
  readonly settings: SettingsSource;
  /** Absent when no issuer is configured: required initial access tokens cannot be checked (503). */
  readonly initialAccessTokens?: InitialAccessTokenVerifier;
  /** Encrypts secrets that must stay recoverable; absent: such clients are refused with a 503. */
  readonly secretSealer?: SecretSealer;
  /** Reads sector_identifier_uri documents; absent: validation uses the production fetcher. */
  readonly sectorIdentifiers?: SectorIdentifierFetcher;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly random: RandomSource;
}
