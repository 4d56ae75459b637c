import * as v from 'valibot';
import { invalidClientMetadata, RegistrationError } from '../errors.js';
import type { ExtendedProperty } from '../settings/catalog.js';
import type { ClientMetadata } from '../store/client-store.js';
import { withDefaults } from './defaults.js';
import { FIELDS, isLocalizable, type FieldSpec } from './fields.js';
import { resolveGrantAndResponseTypes } from './grant-response.js';
import { checkRules } from './rules.js';

// RFC 5646 language tag, by shape: language, then subtags of up to 8 letters or digits.
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;
const FIELD_ORDER = Object.keys(FIELDS);

/** What validation needs beyond the request: operator configuration and outside lookups. */
export interface MetadataContext {
  /** Extended properties the operator allows (Settings.extendedProperties). */
  readonly extendedProperties: readonly ExtendedProperty[];
}

/**
 * Request body -> registered metadata with defaults: each known field parsed by its schema, unknown
 * members dropped (RFC 7591 §3.1), grant and response types resolved, cross-field rules checked.
 * Throws invalid_client_metadata / invalid_redirect_uri naming the field.
 */
export async function validateMetadata(input: Readonly<Record<string, unknown>>, context: MetadataContext): Promise<ClientMetadata> {
  void context;
  const parsed: Record<string, unknown> = {};
  const localized: string[] = [];
  for (const name of Object.keys(input)) {
    const spec = FIELDS[name];
    if (spec) parsed[name] = parseField(name, name, spec, input[name]);
    else if (name.includes('#')) {
      const base = localizedBase(name);
      if (base) {
        parsed[name] = parseField(name, base, FIELDS[base]!, input[name]);
        localized.push(name);
      }
    }
  }
  const types = resolveGrantAndResponseTypes(parsed.grant_types as string[] | undefined, parsed.response_types as string[] | undefined);
  const metadata = withDefaults({ ...parsed, ...types });
  checkRules(metadata);
  return ordered(metadata, localized);
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
  if (!LANGUAGE_TAG.test(tag)) throw invalidClientMetadata(`${name.slice(0, 120)} does not end in a valid BCP 47 language tag`);
  return base;
}

function ordered(metadata: Record<string, unknown>, localized: string[]): ClientMetadata {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_ORDER) if (metadata[name] !== undefined) out[name] = metadata[name];
  for (const name of localized.sort()) out[name] = metadata[name];
  return out;
}
