// What the admin tool's command groups (iat, clients) share: options parsing, durations, errors, and
// the DynamoDB client of the command line.

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { RegistrationError } from '../../lib/errors.js';
import { LOOPBACK_HOSTS } from '../../lib/metadata/uri.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';

/** Where a command reads its environment and writes its output (tests pass their own). */
export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly now?: () => number;
}

/** A command line that does not parse: exit code 2 with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The options and positionals of `argv`; an unknown option or a missing value is a UsageError. */
export function parseCommandLine<const Options extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: Options) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The longest duration an option may give. */
export const MAX_DURATION_SECONDS = 365 * 86_400;
const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** `90s`, `30m`, `12h`, `7d` -> seconds. */
export function parseDuration(text: string, option = '--expires-in'): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new UsageError(`${option} must be a number with a unit (90s, 30m, 12h, 7d), not "${text}"`);
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  if (seconds <= 0 || seconds > MAX_DURATION_SECONDS) throw new UsageError(`${option} must be more than 0 and at most 365d, not "${text}"`);
  return seconds;
}

/** DynamoDB through the SDK's usual configuration; a loopback endpoint (the local datastore) needs no real credentials. */
export function openDocuments(env: NodeJS.ProcessEnv) {
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB?.trim() || env.AWS_ENDPOINT_URL?.trim();
  const local = endpoint !== undefined && isLoopback(endpoint);
  return createDocumentClient({
    ...(local && !env.AWS_REGION && !env.AWS_DEFAULT_REGION && { region: 'us-east-1' }),
    // dynalite and DynamoDB Local accept any credentials; without some, the SDK would look for real ones
    ...(local && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}

function isLoopback(endpoint: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/** What a failed command prints: the refusal's description, or what went wrong with the AWS SDK. */
export function describeError(error: unknown): string {
  if (error instanceof RegistrationError) {
    const cause = (error as { cause?: unknown }).cause;
    // an unexpected datastore failure: the cause says what (credentials, region, permissions)
    if (cause instanceof Error && error.status === 500) {
      return `${cause.name}: ${cause.message} (check the AWS SDK configuration: AWS_REGION, AWS_PROFILE or credentials, AWS_ENDPOINT_URL_DYNAMODB)`;
    }
    return error.description;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
