import type { ExtendedProperty } from '../metadata/extended-properties.js';
import { isReservedPropertyName } from '../metadata/field-names.js';
import { normalizeHostEntry } from '../policies/hosts.js';

// The options of PingFederate's "Dynamic Client Registration" page, one entry each. This table is the
// single source for the SSM parameter names and seed defaults (infra), the environment variables of
// local mode, the settings table of docs/settings.md and the parsers below. Each option's label (the
// SSM parameter's description) is in catalog-docs.ts, which the functions do not load.

export interface Settings {
  /** Enable Dynamic Client Registration: off -> every route answers 404. */
  readonly registrationEnabled: boolean;
  /** Require Initial Access Token on POST. */
  readonly requireInitialAccessToken: boolean;
  /** The required scope, or a scope group: the token must carry at least one of these. */
  readonly initialAccessTokenScopes: readonly string[];
  /** Enable Dynamic Client Registration Management (GET/PUT/DELETE, RAT and registration_client_uri). */
  readonly managementEnabled: boolean;
  /** Rotate Client Secret on GET and PUT. */
  readonly rotateClientSecret: boolean;
  /** Rotate Registration Access Token on GET and PUT. */
  readonly rotateRegistrationAccessToken: boolean;
  /** Allow Client Delete: off -> DELETE answers 405. */
  readonly allowClientDelete: boolean;
  /** Extended properties: operator-defined extra metadata names clients may send and get back. */
  readonly extendedProperties: readonly ExtendedProperty[];
  /**
   * Client registration policies: the JSON document of lib/policies/config.ts, kept as text here and
   * checked where it is used (lib/policies/pipeline.ts), once per distinct value.
   */
  readonly registrationPolicies: string;
  /** Registration Access Token Grace (seconds, 0 = off): a rotated-away token still recovers a lost answer. */
  readonly registrationAccessTokenGraceSeconds: number;
  /** Client Secret Retention (seconds, 0 = off): a rotated-away secret still authenticates the client. */
  readonly clientSecretRetentionSeconds: number;
  /** Client Secret Lifetime (seconds, 0 = never): sets client_secret_expires_at. */
  readonly clientSecretLifetimeSeconds: number;
  /** Client Idle Lifetime (seconds, 0 = never): an unused client is deleted (DynamoDB TTL). */
  readonly clientIdleLifetimeSeconds: number;
  /** Not a PingFederate option: lets jwks_uri, request_uris and the other server-called URIs name loopback and private hosts (development). */
  readonly allowNonPublicServerUris: boolean;
  /** Client ID Metadata Documents: the client directory accepts https URL client_ids and fetches their metadata. */
  readonly clientIdMetadataDocumentsEnabled: boolean;
  /** Hosts that may serve such documents (`host` or `.suffix`); empty (`*`) = any public host. */
  readonly clientIdMetadataDocumentHosts: readonly string[];
}

type Kind = 'boolean' | 'scopes' | 'extended-properties' | 'json' | 'seconds' | 'hosts';

export interface SettingDefinition {
  readonly key: keyof Settings;
  /** Parameter name below `/dcr/<stage>/`. */
  readonly parameter: string;
  /** Environment variable that sets it in local mode. */
  readonly envVar: string;
  readonly kind: Kind;
  /** Seed default, as the SSM parameter's string value. */
  readonly defaultValue: string;
}

export const SETTINGS: readonly SettingDefinition[] = [
  {
    key: 'registrationEnabled',
    parameter: 'registration-enabled',
    envVar: 'DCR_REGISTRATION_ENABLED',
    kind: 'boolean',
    defaultValue: 'false',
  },
  {
    key: 'requireInitialAccessToken',
    parameter: 'require-initial-access-token',
    envVar: 'DCR_REQUIRE_INITIAL_ACCESS_TOKEN',
    kind: 'boolean',
    defaultValue: 'true',
  },
  {
    key: 'initialAccessTokenScopes',
    parameter: 'initial-access-token-scopes',
    envVar: 'DCR_INITIAL_ACCESS_TOKEN_SCOPES',
    kind: 'scopes',
    defaultValue: 'dcr:register',
  },
  {
    key: 'managementEnabled',
    parameter: 'management-enabled',
    envVar: 'DCR_MANAGEMENT_ENABLED',
    kind: 'boolean',
    defaultValue: 'false',
  },
  {
    key: 'rotateClientSecret',
    parameter: 'rotate-client-secret',
    envVar: 'DCR_ROTATE_CLIENT_SECRET',
    kind: 'boolean',
    defaultValue: 'true',
  },
  {
    key: 'rotateRegistrationAccessToken',
    parameter: 'rotate-registration-access-token',
    envVar: 'DCR_ROTATE_REGISTRATION_ACCESS_TOKEN',
    kind: 'boolean',
    defaultValue: 'true',
  },
  {
    key: 'allowClientDelete',
    parameter: 'allow-client-delete',
    envVar: 'DCR_ALLOW_CLIENT_DELETE',
    kind: 'boolean',
    defaultValue: 'true',
  },
  {
    key: 'extendedProperties',
    parameter: 'extended-properties',
    envVar: 'DCR_EXTENDED_PROPERTIES',
    kind: 'extended-properties',
    defaultValue: '[]',
  },
  {
    key: 'registrationPolicies',
    parameter: 'registration-policies',
    envVar: 'DCR_REGISTRATION_POLICIES',
    kind: 'json',
    defaultValue: '{}',
  },
  // Client lifecycle (docs/lifecycle.md): durations in whole seconds, 0 = off
  {
    key: 'registrationAccessTokenGraceSeconds',
    parameter: 'registration-access-token-grace',
    envVar: 'DCR_REGISTRATION_ACCESS_TOKEN_GRACE',
    kind: 'seconds',
    defaultValue: '0',
  },
  {
    key: 'clientSecretRetentionSeconds',
    parameter: 'client-secret-retention',
    envVar: 'DCR_CLIENT_SECRET_RETENTION',
    kind: 'seconds',
    defaultValue: '0',
  },
  {
    key: 'clientSecretLifetimeSeconds',
    parameter: 'client-secret-lifetime',
    envVar: 'DCR_CLIENT_SECRET_LIFETIME',
    kind: 'seconds',
    defaultValue: '0',
  },
  {
    key: 'clientIdleLifetimeSeconds',
    parameter: 'client-idle-lifetime',
    envVar: 'DCR_CLIENT_IDLE_LIFETIME',
    kind: 'seconds',
    defaultValue: '0',
  },
  // Not a PingFederate option (docs/robustness.md, Input): for development against a local authorization server
  {
    key: 'allowNonPublicServerUris',
    parameter: 'allow-non-public-server-uris',
    envVar: 'DCR_ALLOW_NON_PUBLIC_SERVER_URIS',
    kind: 'boolean',
    defaultValue: 'false',
  },
  // Client ID Metadata Documents (docs/directory.md): read by the client directory, not by the routes
  {
    key: 'clientIdMetadataDocumentsEnabled',
    parameter: 'client-id-metadata-documents',
    envVar: 'DCR_CLIENT_ID_METADATA_DOCUMENTS',
    kind: 'boolean',
    defaultValue: 'false',
  },
  {
    key: 'clientIdMetadataDocumentHosts',
    parameter: 'client-id-metadata-hosts',
    envVar: 'DCR_CLIENT_ID_METADATA_HOSTS',
    kind: 'hosts',
    defaultValue: '*',
  },
];

/** The longest duration a lifecycle setting takes: ten years, so `now + value` stays a safe integer and a sane TTL. */
export const MAX_SETTING_SECONDS = 10 * 366 * 86_400;

export const MAX_EXTENDED_PROPERTIES = 50;
const EXTENDED_PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

export class SettingValueError extends Error {
  constructor(
    readonly setting: string,
    readonly value: string,
    /** Why, when the value alone does not say it. */
    readonly reason?: string,
  ) {
    super(`setting ${setting} has the value ${JSON.stringify(value)}, which is not allowed${reason ? `: ${reason}` : ''}`);
    this.name = 'SettingValueError';
  }
}

// RFC 6749 §3.3 scope-token: printable ASCII without space, '"' and '\'.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function parseValue(definition: SettingDefinition, raw: string): boolean | number | string | string[] | ExtendedProperty[] {
  const value = raw.trim();
  // Present but blank means nothing for any setting (SSM cannot even store an empty value): refused, never
  // read as "unset" or as an empty list, which for the scope group would switch the scope check off.
  if (value === '') throw new SettingValueError(definition.parameter, raw, 'it is blank');
  // checked whole by its consumer, which knows the schema (a bad document answers 503, never half-applies)
  if (definition.kind === 'json') return value;
  if (definition.kind === 'scopes') return parseScopes(definition, raw, value);
  if (definition.kind === 'extended-properties') return parseExtendedProperties(definition, value);
  if (definition.kind === 'seconds') return parseSeconds(definition, value);
  if (definition.kind === 'hosts') return parseHosts(definition, raw, value);
  if (/^(true|on|yes|1)$/i.test(value)) return true;
  if (/^(false|off|no|0)$/i.test(value)) return false;
  throw new SettingValueError(definition.parameter, raw, 'expected true/false, on/off, yes/no or 1/0');
}

function parseScopes(definition: SettingDefinition, raw: string, value: string): string[] {
  const scopes = value.split(/\s+/);
  const bad = scopes.find((scope) => !SCOPE_TOKEN.test(scope));
  if (bad !== undefined) throw new SettingValueError(definition.parameter, raw, `${JSON.stringify(bad)} is not a scope (RFC 6749 §3.3)`);
  return scopes;
}

/** `*` (any host: an empty list), or host names and `.suffix` entries separated by blanks or commas. */
function parseHosts(definition: SettingDefinition, raw: string, value: string): string[] {
  if (value === '*') return [];
  return value.split(/[\s,]+/).map((entry) => {
    const host = normalizeHostEntry(entry);
    if (host === undefined)
      throw new SettingValueError(definition.parameter, raw, `${JSON.stringify(entry)} is not a host name or .suffix`);
    return host;
  });
}

/** Whole seconds, 0 to MAX_SETTING_SECONDS: no units, no fractions, so "30m" is refused rather than read as 30. */
function parseSeconds(definition: SettingDefinition, value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_SETTING_SECONDS) {
    throw new SettingValueError(definition.parameter, value, `expected whole seconds from 0 to ${MAX_SETTING_SECONDS}`);
  }
  return Number(value);
}

function parseExtendedProperties(definition: SettingDefinition, value: string): ExtendedProperty[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SettingValueError(definition.parameter, value);
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_EXTENDED_PROPERTIES) throw new SettingValueError(definition.parameter, value);
  const names = new Set<string>();
  return parsed.map((entry: unknown) => {
    const { name, multiValued = false } = (entry ?? {}) as { name?: unknown; multiValued?: unknown };
    if (typeof name !== 'string' || !EXTENDED_PROPERTY_NAME.test(name) || names.has(name) || typeof multiValued !== 'boolean') {
      throw new SettingValueError(definition.parameter, value);
    }
    // a standard field keeps its own validation, and client input must never set a response member
    if (isReservedPropertyName(name)) {
      throw new SettingValueError(definition.parameter, value, `${name} is a standard client metadata or client information name`);
    }
    names.add(name);
    return { name, multiValued };
  });
}

function parseNamed(definition: SettingDefinition, raw: string, name: string): ReturnType<typeof parseValue> {
  try {
    return parseValue(definition, raw);
  } catch (error) {
    if (error instanceof SettingValueError) throw new SettingValueError(name, raw, error.reason);
    throw error;
  }
}

/**
 * Builds Settings from raw string values looked up by `lookup` (SSM values by parameter, or
 * environment variables); a missing value takes `fallback`'s, else the seed default. A value that
 * does not parse throws: a typo in a flag must not silently flip a security setting.
 */
export function settingsFromStrings(
  lookup: (definition: SettingDefinition) => string | undefined,
  fallback: Partial<Settings> = {},
  /** How an error names the setting: the SSM parameter, or the environment variable in local mode. */
  nameOf: (definition: SettingDefinition) => string = (definition) => definition.parameter,
): Settings {
  const settings: Record<string, unknown> = {};
  for (const definition of SETTINGS) {
    const raw = lookup(definition);
    if (raw !== undefined) settings[definition.key] = parseNamed(definition, raw, nameOf(definition));
    else if (fallback[definition.key] !== undefined) settings[definition.key] = fallback[definition.key];
    else settings[definition.key] = parseValue(definition, definition.defaultValue);
  }
  return settings as unknown as Settings;
}

export const DEFAULT_SETTINGS: Settings = settingsFromStrings(() => undefined);
