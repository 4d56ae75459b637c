// `npm run admin -- iat ...`: initial access tokens issued by this service, for teams without an
// authorization server. The functions are exported for tests; main.ts runs them from the command line.

import { DynamoDbInitialAccessTokenStore } from '../../lib/store/dynamodb-initial-access-token-store.js';
import type { InitialAccessTokenRegister, InitialAccessTokenSummary, RevokeOutcome } from '../../lib/tokens/initial-access-token-store.js';
import { hashSecret, type RandomSource, systemRandom } from '../../lib/tokens/secrets.js';
import { newServiceToken } from '../../lib/tokens/service-token.js';
import {
  type CommandIo,
  describeError,
  MAX_DURATION_SECONDS,
  openDocuments,
  parseCommandLine,
  parseDuration,
  UsageError,
} from './command-line.js';
import { formatTable, isoTime } from './text-output.js';

export const USAGE = `Usage: npm run admin -- iat <command> [options]

Initial access tokens issued by this service (for teams without an authorization server).

  iat create --subject <team> [--uses <n>] [--expires-in <duration>] [--scope "<scope> ..."]
             [--policies <a,b>] [--description "<text>"] [--json]
      Creates a token and prints it ONCE: only its SHA-256 hash is stored, it cannot be shown again.
      Defaults: --uses 1, --expires-in 24h, --scope dcr:register. Durations: 90s, 30m, 12h, 7d (at most 365d).
      --policies names extra registration policy lists the token brings (claim dcr_policies): named
      lists of the policy configuration; the server refuses a token naming a list it does not have.
  iat list [--json]
      Every token: id, subject, scope, uses left, expiry, revocation. Never a secret.
      (Reads the whole table with a Scan: fine for an admin tool, never done on a request path.)
  iat revoke <id>
      Refuses the token from now on.

Options for every command:
  --table <name>   the token table (default: $DCR_IAT_TABLE_NAME)

DynamoDB is reached with the usual AWS SDK configuration (AWS_PROFILE, AWS_REGION, credentials);
AWS_ENDPOINT_URL_DYNAMODB points it at a local endpoint (dynalite, DynamoDB Local, LocalStack).

Registered clients (list, show, disable, enable, delete, rotate-secret): npm run admin -- clients --help
A deployed function's stack trace mapped back to the TypeScript:           npm run admin -- stack-trace --help`;

const MAX_USES = 1_000_000;
const OPTIONS = {
  table: { type: 'string' },
  subject: { type: 'string' },
  uses: { type: 'string' },
  'expires-in': { type: 'string' },
  scope: { type: 'string' },
  policies: { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const DEFAULT_EXPIRY = '24h';
const DEFAULT_SCOPE = 'dcr:register';
const MAX_TEXT = 500;
// OAuth scope-token characters (RFC 6749 §3.3), and policy list names as lib/policies/config.ts allows them
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const POLICY_LIST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** A mistake in the command line: the usage is printed with it. */

export interface CreateTokenInput {
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly uses: number;
  readonly expiresInSeconds: number;
  readonly policies?: readonly string[];
  readonly description?: string;
}

export interface CreatedToken {
  /** The token itself: shown once, never stored. */
  readonly token: string;
  readonly summary: InitialAccessTokenSummary;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  readonly random?: RandomSource;
}

export async function createInitialAccessToken(
  register: InitialAccessTokenRegister,
  input: CreateTokenInput,
  clock: Clock = {},
): Promise<CreatedToken> {
  checkCreateInput(input);
  const createdAt = Math.floor((clock.now ?? Date.now)() / 1000);
  const { id, secret, token } = newServiceToken(clock.random ?? systemRandom);
  const summary: InitialAccessTokenSummary = {
    id,
    subject: input.subject,
    scopes: [...input.scopes],
    policies: [...(input.policies ?? [])],
    description: input.description,
    createdAt,
    expiresAt: createdAt + input.expiresInSeconds,
    uses: input.uses,
    usesLeft: input.uses,
  };
  await register.create({ ...summary, secretHash: hashSecret(secret) });
  return { token, summary };
}

export function listInitialAccessTokens(register: InitialAccessTokenRegister): Promise<InitialAccessTokenSummary[]> {
  return register.list();
}

export function revokeInitialAccessToken(
  register: InitialAccessTokenRegister,
  id: string,
  now: () => number = Date.now,
): Promise<RevokeOutcome> {
  return register.revoke(id, Math.floor(now() / 1000));
}

function checkCreateInput(input: CreateTokenInput): void {
  if (!input.subject.trim() || input.subject.length > MAX_TEXT)
    throw new UsageError(`--subject must be 1 to ${MAX_TEXT} characters (the team the token is for)`);
  if (!Number.isInteger(input.uses) || input.uses < 1 || input.uses > MAX_USES)
    throw new UsageError(`--uses must be a whole number from 1 to ${MAX_USES}`);
  if (!Number.isInteger(input.expiresInSeconds) || input.expiresInSeconds <= 0 || input.expiresInSeconds > MAX_DURATION_SECONDS) {
    throw new UsageError('--expires-in must be more than 0 and at most 365d');
  }
  if (input.scopes.length === 0 || !input.scopes.every((scope) => SCOPE_TOKEN.test(scope))) {
    throw new UsageError('--scope must be one or more space-separated OAuth scopes');
  }
  if (!(input.policies ?? []).every((name) => POLICY_LIST_NAME.test(name))) {
    throw new UsageError('--policies must be comma-separated policy list names (letters, digits, _ . : -, at most 64)');
  }
  if (input.description !== undefined && input.description.length > MAX_TEXT)
    throw new UsageError(`--description must be at most ${MAX_TEXT} characters`);
}

export interface AdminIo extends CommandIo {
  /** The token table to work on; by default DynamoDB through the AWS SDK (tests may pass their own). */
  readonly openRegister?: (tableName: string) => { register: InitialAccessTokenRegister; close(): void };
}

/** Runs one command line; returns the exit code (0 done, 1 failed, 2 wrong usage). */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  let opened: { register: InitialAccessTokenRegister; close(): void } | undefined;
  try {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const [group, command, ...rest] = positionals;
    if (group !== 'iat' || !command)
      throw new UsageError(group === undefined ? 'no command given' : `unknown command "${positionals.join(' ')}"`);
    const tableName = values.table?.trim() || io.env.DCR_IAT_TABLE_NAME?.trim();
    const expectArguments = (count: number, what: string) => {
      if (rest.length !== count) throw new UsageError(`iat ${command} takes ${what}`);
    };
    const open = () => {
      if (!tableName) throw new UsageError('no token table: pass --table <name> or set DCR_IAT_TABLE_NAME');
      opened = (io.openRegister ?? ((name: string) => openDynamoDbRegister(name, io.env)))(tableName);
      return opened.register;
    };
    const now = io.now ?? Date.now;

    switch (command) {
      case 'create': {
        expectArguments(0, 'no arguments, only options');
        if (values.subject === undefined) throw new UsageError('iat create needs --subject <team>');
        const input: CreateTokenInput = {
          subject: values.subject,
          uses: values.uses === undefined ? 1 : parseWholeNumber(values.uses, '--uses'),
          expiresInSeconds: parseDuration(values['expires-in'] ?? DEFAULT_EXPIRY),
          scopes: (values.scope ?? DEFAULT_SCOPE).split(' ').filter(Boolean),
          policies: values.policies
            ?.split(',')
            .map((name) => name.trim())
            .filter(Boolean),
          description: values.description,
        };
        checkCreateInput(input);
        const created = await createInitialAccessToken(open(), input, { now });
        if (values.json) io.out(JSON.stringify({ token: created.token, ...summaryJson(created.summary) }, null, 2));
        else io.out(describeCreated(created));
        return 0;
      }
      case 'list': {
        expectArguments(0, 'no arguments');
        const tokens = await listInitialAccessTokens(open());
        if (values.json) io.out(JSON.stringify(tokens.map(summaryJson), null, 2));
        else io.out(formatList(tokens, Math.floor(now() / 1000)));
        return 0;
      }
      case 'revoke': {
        expectArguments(1, 'one argument: the token id (see iat list)');
        const id = rest[0]!;
        const outcome = await revokeInitialAccessToken(open(), id, now);
        if (outcome === 'not-found') {
          io.err(`error: no initial access token with id ${id} (see iat list)`);
          return 1;
        }
        io.out(outcome === 'revoked' ? `Revoked initial access token ${id}.` : `Initial access token ${id} was revoked already.`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "iat ${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`error: ${describeError(error)}`);
    return 1;
  } finally {
    opened?.close();
  }
}

function parseWholeNumber(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} must be a whole number, not "${text}"`);
  return Number(text);
}

/** DynamoDB through the SDK's usual configuration; a loopback endpoint needs no real credentials. */
function openDynamoDbRegister(tableName: string, env: NodeJS.ProcessEnv) {
  const documents = openDocuments(env);
  return { register: new DynamoDbInitialAccessTokenStore(documents, tableName), close: () => documents.destroy() };
}

function describeCreated({ token, summary }: CreatedToken): string {
  return [
    `Created initial access token ${summary.id}`,
    `  subject:     ${summary.subject}`,
    `  scope:       ${summary.scopes.join(' ')}`,
    `  uses:        ${summary.uses}`,
    `  expires:     ${isoTime(summary.expiresAt)}`,
    ...(summary.policies.length ? [`  policies:    ${summary.policies.join(', ')}`] : []),
    ...(summary.description !== undefined ? [`  description: ${summary.description}`] : []),
    '',
    'The token is shown this once and cannot be recovered (only its SHA-256 hash is stored):',
    '',
    `  ${token}`,
    '',
    'Register with it: POST /as/clients.oauth2 with "Authorization: Bearer <token>".',
  ].join('\n');
}

function summaryJson(summary: InitialAccessTokenSummary) {
  return {
    id: summary.id,
    subject: summary.subject,
    scope: summary.scopes.join(' '),
    policies: summary.policies,
    description: summary.description,
    created_at: isoTime(summary.createdAt),
    expires_at: isoTime(summary.expiresAt),
    uses: summary.uses,
    uses_left: summary.usesLeft,
    revoked_at: summary.revokedAt === undefined ? undefined : isoTime(summary.revokedAt),
    last_used_at: summary.lastUsedAt === undefined ? undefined : isoTime(summary.lastUsedAt),
  };
}

function formatList(tokens: readonly InitialAccessTokenSummary[], nowSeconds: number): string {
  if (tokens.length === 0) return 'No initial access tokens.';
  const header = ['ID', 'SUBJECT', 'SCOPE', 'USES LEFT', 'EXPIRES', 'REVOKED', 'STATUS', 'DESCRIPTION'];
  const rows = tokens.map((token) => [
    token.id,
    token.subject,
    token.scopes.join(' '),
    `${token.usesLeft}/${token.uses}`,
    isoTime(token.expiresAt),
    token.revokedAt === undefined ? '-' : isoTime(token.revokedAt),
    statusOf(token, nowSeconds),
    token.description ?? '',
  ]);
  return formatTable(header, rows);
}

function statusOf(token: InitialAccessTokenSummary, nowSeconds: number): string {
  if (token.revokedAt !== undefined) return 'revoked';
  if (token.expiresAt <= nowSeconds) return 'expired';
  if (token.usesLeft <= 0) return 'used up';
  return 'active';
}
