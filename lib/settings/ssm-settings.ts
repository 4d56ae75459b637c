import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { temporarilyUnavailable } from '../errors.js';
import { log } from '../log.js';
import { SETTINGS, type Settings, settingsFromStrings } from './catalog.js';
import type { SettingsSource } from './settings-source.js';

export interface SsmSettingsOptions {
  /** e.g. `/dcr/prod/` */
  readonly prefix: string;
  readonly ttlSeconds: number;
  readonly client?: SSMClient;
  readonly now?: () => number;
}

/**
 * Reads every setting in one GetParameters call and keeps the answer for `ttlSeconds`, so an
 * operator's `aws ssm put-parameter` reaches every warm container within that time and requests in
 * between cost no call. Concurrent requests share one refresh. If a refresh fails, the last good
 * settings stay in force (and the failure is logged); with none yet, the request gets a 503.
 */
export class SsmSettingsSource implements SettingsSource {
  private readonly client: SSMClient;
  private readonly now: () => number;
  private cached?: { settings: Settings; expiresAt: number };
  private refreshing?: Promise<Settings>;

  constructor(private readonly options: SsmSettingsOptions) {
    if (SETTINGS.length > 10) throw new Error('GetParameters takes at most 10 names: split the settings read');
    this.client = options.client ?? new SSMClient({ maxAttempts: 2 });
    this.now = options.now ?? Date.now;
  }

  async current(): Promise<Settings> {
    if (this.cached && this.now() < this.cached.expiresAt) return this.cached.settings;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<Settings> {
    try {
      const settings = await this.load();
      this.cached = { settings, expiresAt: this.now() + this.options.ttlSeconds * 1000 };
      return settings;
    } catch (error) {
      if (this.cached) {
        log('warn', 'settings refresh failed; keeping the last values', {
          error: (error as Error).name,
          message: (error as Error).message,
        });
        // Keep them for another TTL: retrying at once would put an SSM call (and its latency) on every
        // request while SSM is down or a stored value is bad, and could run into SSM's rate limit.
        this.cached = { settings: this.cached.settings, expiresAt: this.now() + this.options.ttlSeconds * 1000 };
        return this.cached.settings;
      }
      log('error', 'settings could not be read', { error: (error as Error).name, message: (error as Error).message });
      throw temporarilyUnavailable('the registration settings could not be read; retry shortly', 5);
    }
  }

  private async load(): Promise<Settings> {
    const names = SETTINGS.map((definition) => this.options.prefix + definition.parameter);
    const output = await this.client.send(new GetParametersCommand({ Names: names }));
    if (output.InvalidParameters?.length) {
      // A missing parameter takes its documented default, so a half-seeded stage still behaves as documented.
      log('warn', 'settings parameters missing; using defaults for them', { parameters: output.InvalidParameters });
    }
    const values = new Map(output.Parameters?.map((parameter) => [parameter.Name, parameter.Value]));
    return settingsFromStrings((definition) => values.get(this.options.prefix + definition.parameter));
  }
}
