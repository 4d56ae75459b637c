import { temporarilyUnavailable } from '../errors.js';
import { log } from '../log.js';
import { boundedCall, TIME_BUDGET } from '../time-budget.js';
import type { SecretSource } from '../tokens/secret-source.js';
import type { SsmReader } from './ssm-reader.js';

export interface SsmSecureStringOptions {
  /** The parameter's name (or ARN). */
  readonly name: string;
  /** What the secret is for, in error descriptions (an environment variable name). */
  readonly label: string;
  /** SSM, read without the SDK's SSM client (ssm-reader.ts). */
  readonly reader: SsmReader;
  /** Milliseconds since the epoch (tests). */
  readonly now?: () => number;
}

// After the other side refuses the secret it may have been rotated: read again, but at most this
// often, so a lasting misconfiguration does not put an SSM call on every request.
const MIN_REREAD_MS = 60_000;

/**
 * A SecureString parameter (GetParameter WithDecryption), read once per container on first use and
 * kept in memory. A failed read is not kept: the next request tries again (and gets a 503 meanwhile).
 */
export class SsmSecureString implements SecretSource {
  private readonly now: () => number;
  private value?: Promise<string>;
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SsmSecureStringOptions) {
    this.now = options.now ?? Date.now;
  }

  get(): Promise<string> {
    this.value ??= this.read();
    return this.value;
  }

  invalidate(): void {
    if (this.now() - this.readAt >= MIN_REREAD_MS) this.value = undefined;
  }

  private async read(): Promise<string> {
    this.readAt = this.now();
    try {
      const output = await boundedCall(TIME_BUDGET.awsCallMs, (signal) =>
        this.options.reader.getParameter(this.options.name, true, signal),
      );
      const value = output.Parameter?.Value;
      if (!value) throw Object.assign(new Error('the parameter has no value'), { name: 'EmptyParameter' });
      return value;
    } catch (error) {
      this.value = undefined;
      // the parameter name is configuration, not a secret; the value never reaches a log line
      log('error', 'a secret parameter could not be read', { parameter: this.options.name, error: (error as Error).name });
      throw temporarilyUnavailable(`a secret this service needs could not be read (${this.options.label}); retry shortly`, 5, {
        cause: error,
      });
    }
  }
}
