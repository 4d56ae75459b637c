import type { MetadataContext } from '../metadata/validate.js';
import type { Settings } from '../settings/catalog.js';
import type { RegistrationDependencies } from './dependencies.js';

/** The validation context of one request: current settings plus the lookups the runtime provides. */
export function metadataContext(settings: Settings, deps: RegistrationDependencies): MetadataContext {
  return {
    extendedProperties: settings.extendedProperties,
    allowNonPublicServerUris: settings.allowNonPublicServerUris,
    sectorIdentifiers: deps.sectorIdentifiers,
  };
}
