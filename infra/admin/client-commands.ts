// `npm run admin -- clients ...`: registered clients, for operators. Works against AWS (the usual SDK
// configuration) or the local datastore (AWS_ENDPOINT_URL_DYNAMODB, as `npm start` prints). The
// functions are exported for tests; main.ts runs them from the command line.

import { randomUUID } from 'node:crypto';
import { givePlacesBack } from '../../lib/policies/caps.js';
import { type ClientRecord, GuardFailedError } from '../../lib/registration/client.js';
import { secretSealerOf } from '../../lib/runtime/secret-sealer.js';
import { readEnvironment } from '../../lib/settings/environment.js';
import { DynamoDbClientAdminStore } from '../../lib/store/dynamodb-client-listing.js';
import { DynamoDbClientQuota } from '../../lib/store/dynamodb-client-quota.js';
import type { SecretSealer } from '../../lib/tokens/secret-sealer.js';
import { hashSecret, newSecret, type RandomSource, systemRandom } from '../../lib/tokens/secrets.js';
import { type CommandIo, describeError, openDocuments, parseCommandLine, parseDuration, UsageError } from './command-line.js';
import { formatTable, isoTime } from './text-output.js';

export const CLIENTS_USAGE = `Usage: npm run admin -- clients <command> [options]

Registered clients (never shows a secret, a token or a hash).

  clients list [--subject <sub>] [--software-id <id>] [--limit <n>] [--next <client_id>] [--json]
      Pages through the clients (a Scan: fine for an admin tool, never done on a request path), at most
      --limit (default 50) per page; the page ends with the --next value of the following page.
      --subject: registered with initial access tokens of this subject; --software-id: this software_id.
  clients show <client_id> [--json]
      One client: its metadata, who registered it, its secret's expiry, its idle expiry, its state.
  clients disable <client_id>
      The client can no longer authenticate through the client directory, and its management calls
      (GET, PUT, DELETE with its registration access token) answer 403 access_denied.
  clients enable <client_id>
      Undoes disable.
  clients delete <client_id>
      Deletes the client and gives its places in the client caps back.
  clients rotate-secret <client_id> [--retain <duration>] [--expires-in <duration>] [--json]
      Gives the client a new secret and prints it ONCE. --retain keeps the old secret valid for client
      authentication that long (e.g. 1h); --expires-in sets client_secret_expires_at (default: never).
      A client_secret_jwt (recoverable) secret is sealed with DCR_SECRET_KEY_ID (KMS) or DCR_LOCAL_SECRET_KEY.

Options for every command:
  --table <name>   the client table (default: $DCR_TABLE_NAME)

Every change is a lifecycle event (ClientUpdated, ClientCredentialsRotated, ClientDeleted) whose
request_id starts with "admin-".`;

const OPTIONS = {
  table: { type: 'string' },
  subject: { type: 'string' },
  'software-id': { type: 'string' },
  limit: { type: 'string' },
  next: { type: 'string' },
  retain: { type: 'string' },
  'expires-in': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

export interface ClientAdmin {
  readonly store: DynamoDbClientAdminStore;
  readonly quota: DynamoDbClientQuota;
  readonly sealer?: SecretSealer;
  readonly now: () => number;
  readonly random: RandomSource;
}

/** A summary of a client for people and scripts: no secret, token or hash. */
export function clientSummary(record: ClientRecord) {
  const metadata = record.metadata as unknown as Record<string, unknown>;
  return {
    client_id: record.clientId,
    client_name: metadata.client_name,
    software_id: metadata.software_id,
    token_endpoint_auth_method: metadata.token_endpoint_auth_method,
    registered_by: record.registeredBy ?? null,
    client_id_issued_at: isoTime(record.issuedAt),
    updated_at: isoTime(record.updatedAt),
    version: record.version,
    disabled: record.disabled === true,
    has_secret: record.secretHash !== undefined,
    client_secret_expires_at: record.secretHash === undefined ? undefined : expiryText(record.secretExpiresAt),
    previous_secret_valid_until: record.previousSecretValidUntil === undefined ? undefined : isoTime(record.previousSecretValidUntil),
    idle_expires_at: record.idleExpiresAt === undefined ? 'never' : isoTime(record.idleExpiresAt),
    quota_counters: record.quotaCounters ?? [],
    metadata,
  };
}

/** Changes made here carry a request id of their own, so their lifecycle events say who did it. */
function adminRequestId(): string {
  return `admin-${randomUUID()}`;
}

async function setDisabled(admin: ClientAdmin, clientId: string, disabled: boolean): Promise<ClientRecord> {
  const { record } = await admin.store.update(
    clientId,
    { secret: { kind: 'keep' }, disabled, requestId: adminRequestId(), updatedAt: Math.floor(admin.now() / 1000) },
    { registrationTokenHash: 'operator' },
  );
  return record;
}

export async function rotateClientSecret(
  admin: ClientAdmin,
  clientId: string,
  options: { retainSeconds?: number; expiresInSeconds?: number } = {},
): Promise<{ record: ClientRecord; clientSecret: string }> {
  const current = await admin.store.find(clientId);
  if (!current) throw new NotFound(clientId);
  if (current.secretHash === undefined) {
    throw new UsageError(
      `client ${clientId} has no secret (token_endpoint_auth_method ${String(current.metadata.token_endpoint_auth_method)})`,
    );
  }
  const now = Math.floor(admin.now() / 1000);
  const clientSecret = newSecret(admin.random);
  const recoverable = current.secretSealed !== undefined;
  if (recoverable && !admin.sealer) {
    throw new UsageError(
      'this client keeps its secret recoverable (client_secret_jwt): set DCR_SECRET_KEY_ID (KMS) or DCR_LOCAL_SECRET_KEY',
    );
  }
  const sealed = recoverable ? await admin.sealer!.seal(clientSecret, clientId) : undefined;
  const { record } = await admin.store.update(
    clientId,
    {
      secret: {
        kind: 'replace',
        hash: hashSecret(clientSecret),
        sealed,
        expiresAt: options.expiresInSeconds === undefined ? 0 : now + options.expiresInSeconds,
        retainUntil: options.retainSeconds === undefined ? undefined : now + options.retainSeconds,
      },
      requestId: adminRequestId(),
      updatedAt: now,
    },
    // the version read above: a client changed meanwhile is not overwritten with a stale plan
    { registrationTokenHash: 'operator', version: current.version, secret: { hasSecret: true, recoverable } },
  );
  return { record, clientSecret };
}

class NotFound extends Error {
  constructor(clientId: string) {
    super(`no client with id ${clientId} (see clients list)`);
    this.name = 'NotFound';
  }
}

export interface ClientAdminIo extends CommandIo {
  /** The client table to work on; by default DynamoDB through the AWS SDK (tests may pass their own). */
  readonly openClients?: (tableName: string) => { admin: ClientAdmin; close(): void };
}

/** Runs one `clients` command line; returns the exit code (0 done, 1 failed, 2 wrong usage). */
export async function runClientAdmin(argv: readonly string[], io: ClientAdminIo): Promise<number> {
  let opened: { admin: ClientAdmin; close(): void } | undefined;
  try {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    if (values.help) {
      io.out(CLIENTS_USAGE);
      return 0;
    }
    const [, command, ...rest] = positionals;
    if (!command) throw new UsageError('no clients command given');
    const tableName = values.table?.trim() || io.env.DCR_TABLE_NAME?.trim();
    const open = () => {
      if (!tableName) throw new UsageError('no client table: pass --table <name> or set DCR_TABLE_NAME');
      opened = (io.openClients ?? ((name: string) => openDynamoDbClients(name, io.env, io.now)))(tableName);
      return opened.admin;
    };
    const clientIdArgument = () => {
      if (rest.length !== 1) throw new UsageError(`clients ${command} takes one argument: the client_id`);
      return rest[0]!;
    };
    const print = (record: ClientRecord, text: string) => io.out(values.json ? JSON.stringify(clientSummary(record), null, 2) : text);

    switch (command) {
      case 'list': {
        if (rest.length) throw new UsageError('clients list takes no arguments, only options');
        const limit = values.limit === undefined ? DEFAULT_PAGE : pageSize(values.limit);
        const page = await open().store.list({ limit, next: values.next, registeredBy: values.subject, softwareId: values['software-id'] });
        if (values.json) io.out(JSON.stringify({ clients: page.clients.map(clientSummary), next: page.next ?? null }, null, 2));
        else io.out(formatList(page.clients, page.next));
        return 0;
      }
      case 'show': {
        const clientId = clientIdArgument();
        const record = await open().store.find(clientId);
        if (!record) throw new NotFound(clientId);
        print(record, formatShow(record));
        return 0;
      }
      case 'disable':
      case 'enable': {
        const clientId = clientIdArgument();
        const record = await setDisabled(open(), clientId, command === 'disable');
        print(record, `${command === 'disable' ? 'Disabled' : 'Enabled'} client ${clientId}.`);
        return 0;
      }
      case 'delete': {
        const clientId = clientIdArgument();
        const admin = open();
        const deleted = await admin.store.delete(clientId, { registrationTokenHash: 'operator' });
        if (deleted?.quotaCounters?.length) await givePlacesBack(admin.quota, deleted.quotaCounters);
        io.out(`Deleted client ${clientId}.`);
        // the delete landed but its answer was lost: which cap places it held is unknown
        if (deleted === undefined) io.err('warning: the answer was lost; cap places the client held, if any, were not given back');
        return 0;
      }
      case 'rotate-secret': {
        const clientId = clientIdArgument();
        const { record, clientSecret } = await rotateClientSecret(open(), clientId, {
          retainSeconds: values.retain === undefined ? undefined : parseDuration(values.retain, '--retain'),
          expiresInSeconds: values['expires-in'] === undefined ? undefined : parseDuration(values['expires-in']),
        });
        if (values.json) io.out(JSON.stringify({ client_secret: clientSecret, ...clientSummary(record) }, null, 2));
        else {
          io.out(
            [
              `New secret of client ${clientId} (shown this once; only its SHA-256 hash is stored):`,
              '',
              `  ${clientSecret}`,
              '',
              `client_secret_expires_at: ${expiryText(record.secretExpiresAt)}`,
              record.previousSecretValidUntil === undefined
                ? 'The previous secret no longer works.'
                : `The previous secret still works until ${isoTime(record.previousSecretValidUntil)}.`,
            ].join('\n'),
          );
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command "clients ${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${CLIENTS_USAGE}`);
      return 2;
    }
    if (error instanceof NotFound) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    if (error instanceof GuardFailedError) {
      io.err('error: no such client, or it changed while this command ran (see clients list; try again)');
      return 1;
    }
    io.err(`error: ${describeError(error)}`);
    return 1;
  } finally {
    opened?.close();
  }
}

function pageSize(text: string): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > MAX_PAGE)
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_PAGE}`);
  return value;
}

function openDynamoDbClients(tableName: string, env: NodeJS.ProcessEnv, now: () => number = Date.now) {
  const documents = openDocuments(env);
  const environment = readEnvironment(env);
  return {
    admin: {
      store: new DynamoDbClientAdminStore(documents, tableName, now),
      quota: new DynamoDbClientQuota(documents, tableName, now),
      sealer: secretSealerOf(environment),
      now,
      random: systemRandom,
    },
    close: () => documents.destroy(),
  };
}

function formatList(clients: readonly ClientRecord[], next: string | undefined): string {
  if (clients.length === 0) return 'No clients.';
  const header = ['CLIENT_ID', 'NAME', 'SOFTWARE_ID', 'REGISTERED_BY', 'ISSUED', 'STATE', 'IDLE EXPIRY'];
  const rows = clients.map((record) => {
    const metadata = record.metadata as unknown as Record<string, unknown>;
    return [
      record.clientId,
      String(metadata.client_name ?? ''),
      String(metadata.software_id ?? ''),
      record.registeredBy ?? '-',
      isoTime(record.issuedAt),
      record.disabled ? 'disabled' : 'active',
      record.idleExpiresAt === undefined ? 'never' : isoTime(record.idleExpiresAt),
    ];
  });
  const table = formatTable(header, rows);
  return next === undefined ? table : `${table}\n\nMore: --next ${next}`;
}

function formatShow(record: ClientRecord): string {
  const summary = clientSummary(record);
  return [
    `Client ${summary.client_id}${summary.disabled ? ' (DISABLED)' : ''}`,
    `  name:                ${summary.client_name ?? '-'}`,
    `  software_id:         ${summary.software_id ?? '-'}`,
    `  auth method:         ${summary.token_endpoint_auth_method}`,
    `  registered by:       ${summary.registered_by ?? '-'}`,
    `  issued:              ${summary.client_id_issued_at}`,
    `  updated:             ${summary.updated_at} (version ${summary.version})`,
    `  secret:              ${summary.has_secret ? `expires ${summary.client_secret_expires_at}` : 'none'}`,
    ...(summary.previous_secret_valid_until ? [`  previous secret:     valid until ${summary.previous_secret_valid_until}`] : []),
    `  idle expiry:         ${summary.idle_expires_at}`,
    `  metadata:            ${JSON.stringify(summary.metadata)}`,
  ].join('\n');
}

function expiryText(expiresAt: number | undefined): string {
  return expiresAt === undefined || expiresAt === 0 ? 'never' : isoTime(expiresAt);
}
