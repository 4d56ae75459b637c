import * as v from 'valibot';
import { invalidClientMetadata, RegistrationError } from '../errors.js';
import type { ClientMetadata } from './client-metadata.js';
import { withDefaults } from './defaults.js';
import { type ExtendedProperty, parseExtendedValue, usableExtendedProperties } from './extended-properties.js';
import { FIELDS, type FieldSpec, fieldSpec, isLocalizable } from './fields.js';
import { resolveGrantAndResponseTypes } from './grant-response.js';
import { checkJwks } from './jwks.js';
import { isLanguageTag } from './language-tag.js';
import { MAX_LOCALIZED_FIELDS } from './limits.js';
import { checkRules } from './rules.js';
import { checkSectorIdentifier, type SectorIdentifierFetcher, sectorIdentifierFetcherOnFirstUse } from './sector-identifier.js';
import { checkServerCalledUris } from './server-called-uris.js';

const FIELD_ORDER = Object.keys(FIELDS);

/** What validation needs beyond the request: operator configuration and outside lookups. */
export interface MetadataContext {
  /** Extended properties the operator allows (Settings.extendedProperties). */
  readonly extendedProperties: readonly ExtendedProperty[];
  /** Lets URIs the authorization server calls name loopback and private hosts (development only; default false). */
  readonly allowNonPublicServerUris?: boolean;
  /** Reads sector_identifier_uri; absent: the production fetcher (public addresses only). */
  readonly sectorIdentifiers?: SectorIdentifierFetcher;
}

/** The production fetcher (public addresses only), shared by the container's requests. */
const productionFetcher = sectorIdentifierFetcherOnFirstUse();

/**
 * Request body -> registered metadata with defaults: each known field parsed by its schema,
 * localized variants (`client_name#ja-Jpan-JP`) parsed like their base field, the operator's extended
 * properties kept, other members dropped (RFC 7591 §3.1); grant and response types resolved;
 * cross-field rules checked; then the checks that do I/O or crypto (jwks import, the
 * sector_identifier_uri fetch), so an invalid request never costs a fetch.
 * Throws invalid_client_metadata / invalid_redirect_uri naming the field.
 */
export async function validateMetadata(input: Readonly<Record<string, unknown>>, context: MetadataContext): Promise<ClientMetadata> {
  // Member names are data: only own members are read, and they are looked up with fieldSpec()
  const parsed: Record<string, unknown> = Object.create(null);
  const localized: string[] = [];
  for (const name of Object.keys(input)) {
    // JSON has no undefined; a caller building the input in code may leave one: it means absent
    if (input[name] === undefined) continue;
    const spec = fieldSpec(name);
    if (spec) parsed[name] = parseField(name, name, spec, input[name]);
    else if (name.includes('#')) {
      const base = localizedBase(name);
      if (base) {
        parsed[name] = parseField(name, base, fieldSpec(base)!, input[name]);
        localized.push(name);
      }
    }
  }
  checkLocalized(localized);
  const extended = parseExtendedProperties(input, context.extendedProperties);
  const types = resolveGrantAndResponseTypes(parsed.grant_types as string[] | undefined, parsed.response_types as string[] | undefined);
  const metadata = withDefaults({ ...parsed, ...types });
  checkRules(metadata);
  checkServerCalledUris(metadata, context.allowNonPublicServerUris === true);
  await checkJwks(metadata.jwks);
  await checkSectorIdentifier(metadata, context.sectorIdentifiers ?? productionFetcher);
  return ordered(metadata, localized, extended);
}

function parseField(name: string, base: string, spec: FieldSpec, value: unknown): unknown {
  const result = v.safeParse(spec.schema, value, { abortEarly: true });
  if (result.success) return result.output;
  const message = result.issues[0].message;
  const description = name === base ? message : message.replace(base, name);
  throw new RegistrationError(400, spec.error ?? 'invalid_client_metadata', description);
}

/** `client_name#ja-Jpan-JP` -> `client_name` when the base is localizable; a bad tag is an error. */
function localizedBase(name: string): string | undefined {
  const at = name.indexOf('#');
  const base = name.slice(0, at);
  if (!isLocalizable(base)) return undefined;
  const tag = name.slice(at + 1);
  if (!isLanguageTag(tag)) throw invalidClientMetadata(`${name.slice(0, 120)} does not end in a valid BCP 47 language tag`);
  return base;
}

/** Tags compare case-insensitively (RFC 5646 §2.1.1): client_name#en and client_name#EN are one field sent twice. */
function checkLocalized(localized: readonly string[]): void {
  if (localized.length === 0) return;
  if (localized.length > MAX_LOCALIZED_FIELDS)
    throw invalidClientMetadata(`at most ${MAX_LOCALIZED_FIELDS} language-tagged fields may be registered`);
  const seen = new Map<string, string>();
  for (const name of localized) {
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined)
      throw invalidClientMetadata(`${name.slice(0, 120)} and ${earlier.slice(0, 120)} name the same language-tagged field`);
    seen.set(key, name);
  }
}

function parseExtendedProperties(
  input: Readonly<Record<string, unknown>>,
  properties: readonly ExtendedProperty[],
): Record<string, unknown> {
  const extended: Record<string, unknown> = Object.create(null);
  if (properties.length === 0) return extended;
  for (const property of usableExtendedProperties(properties)) {
    if (!Object.hasOwn(input, property.name) || input[property.name] === undefined) continue;
    const result = parseExtendedValue(property, input[property.name]);
    if (!result.ok) throw invalidClientMetadata(result.message!);
    extended[property.name] = result.value;
  }
  return extended;
}

/** Standard fields in table order, then localized ones, then extended properties (both sorted by name). */
function ordered(metadata: Record<string, unknown>, localized: string[], extended: Record<string, unknown>): ClientMetadata {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_ORDER) if (metadata[name] !== undefined) out[name] = metadata[name];
  for (const name of localized.sort()) out[name] = metadata[name];
  for (const name of Object.keys(extended).sort()) out[name] = extended[name];
  return out;
}
