import { settingsFromStrings, type Settings } from './catalog.js';

/**
 * Settings from environment variables (DCR_REGISTRATION_ENABLED=true ...). `fallback` supplies the
 * values of variables that are not set; by default the documented seed defaults apply.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv, fallback: Partial<Settings> = {}): Settings {
  return settingsFromStrings((definition) => env[definition.envVar], fallback, (definition) => definition.envVar);
}
