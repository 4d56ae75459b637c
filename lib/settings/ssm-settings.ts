import { temporarilyUnavailable } from '../errors.js';
import { log } from '../log.js';
import { countMetric } from '../metrics.js';
import { boundedCall, TIME_BUDGET } from '../time-budget.js';
import { SETTINGS, type Settings, SettingValueError, settingsFromStrings } from './catalog.js';
import type { SettingsCheck, SettingsSource } from './settings-source.js';
import type { SsmReader } from './ssm-reader.js';

export interface SsmSettingsOptions {
  /** e.g. `/dcr/prod/` */
  readonly prefix: string;
  readonly ttlSeconds: number;
  /** SSM, read without the SDK's SSM client (ssm-reader.ts). */
  readonly reader: SsmReader;
  readonly now?: () => number;
  /**
   * Further checks of each value read (the registration policy document, on the routes that apply it):
   * a SettingValueError it throws keeps the last good settings, as a value that does not parse does.
   */
  readonly check?: SettingsCheck;
}

// GetParameters takes at most 10 names: more settings are read in parallel calls of 10.
const NAMES_PER_CALL = 10;

/**
 * Reads every setting with GetParameters (one call per 10 settings, in parallel) and keeps the answer for `ttlSeconds`, so an
 * operator's `aws ssm put-parameter` reaches every warm container within that time and requests in
 * between cost no call. Concurrent requests share one refresh. If a refresh fails, the last good
 * settings stay in force (and the failure is logged); with none yet, the request gets a 503.
 */
export class SsmSettingsSource implements SettingsSource {
  private readonly now: () => number;
  private cached?: { settings: Settings; expiresAt: number };
  private refreshing?: Promise<Settings>;

  constructor(private readonly options: SsmSettingsOptions) {
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
      countMetric('SettingsReadFailures');
      if (this.cached) {
        log('warn', 'settings refresh failed; keeping the last values', failure(error));
        // Keep them for another TTL: retrying at once would put an SSM call (and its latency) on every
        // request while SSM is down or a stored value is bad, and could run into SSM's rate limit.
        this.cached = { settings: this.cached.settings, expiresAt: this.now() + this.options.ttlSeconds * 1000 };
        return this.cached.settings;
      }
      log('error', 'settings could not be read', failure(error));
      throw temporarilyUnavailable('the registration settings could not be read; retry shortly', 5, { cause: error });
    }
  }

  private async load(): Promise<Settings> {
    const names = SETTINGS.map((definition) => this.options.prefix + definition.parameter);
    const batches = Array.from({ length: Math.ceil(names.length / NAMES_PER_CALL) }, (_, index) =>
      names.slice(index * NAMES_PER_CALL, (index + 1) * NAMES_PER_CALL),
    );
    // the batches go in parallel, each a call with its own deadline
    const outputs = await Promise.all(
      batches.map((batch) => boundedCall(TIME_BUDGET.awsCallMs, (signal) => this.options.reader.getParameters(batch, signal))),
    );
    const invalid = outputs.flatMap((output) => output.InvalidParameters ?? []);
    if (invalid.length) {
      // A missing parameter takes its documented default, so a half-seeded stage still behaves as documented.
      log('warn', 'settings parameters missing; using defaults for them', { parameters: invalid });
    }
    const values = new Map(outputs.flatMap((output) => output.Parameters ?? []).map((parameter) => [parameter.Name, parameter.Value]));
    const nameOf = (definition: { parameter: string }) => this.options.prefix + definition.parameter;
    const settings = settingsFromStrings((definition) => values.get(nameOf(definition)), {}, nameOf);
    await this.options.check?.(settings, (key) => nameOf(SETTINGS.find((definition) => definition.key === key)!));
    return settings;
  }
}

/** What a failed read logs: the error, its text, and the parameter whose value was refused. */
function failure(error: unknown): Record<string, unknown> {
  return {
    error: (error as Error).name,
    reason: (error as Error).message,
    ...(error instanceof SettingValueError && { setting: error.setting }),
  };
}
