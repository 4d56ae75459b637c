import type { Settings } from './catalog.js';

/** Checks read settings further; throws (or rejects with) a SettingValueError naming the setting (by `nameOf`) it refuses. */
export type SettingsCheck = (settings: Settings, nameOf: (key: keyof Settings) => string) => void | Promise<void>;

/** Where the use cases get the feature flags from; implementations cache, so calling per request is free. */
export interface SettingsSource {
  current(): Promise<Settings>;
}

/** Fixed settings: local mode (from the environment, read once at start) and tests. */
export function staticSettings(settings: Settings): SettingsSource {
  const resolved = Promise.resolve(settings);
  return { current: () => resolved };
}
