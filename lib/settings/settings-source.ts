import type { Settings } from './catalog.js';

/** Where the use cases get the feature flags from; implementations cache, so calling per request is free. */
export interface SettingsSource {
  current(): Promise<Settings>;
}

/** Fixed settings: local mode (from the environment, read once at start) and tests. */
export function staticSettings(settings: Settings): SettingsSource {
  const resolved = Promise.resolve(settings);
  return { current: () => resolved };
}
