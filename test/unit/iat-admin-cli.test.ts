import { describe, expect, it } from 'vitest';
import { parseDuration, UsageError } from '../../infra/admin/command-line.js';
import { runAdmin, USAGE } from '../../infra/admin/iat-commands.js';
import type { InitialAccessTokenRegister, StoredInitialAccessToken } from '../../lib/tokens/initial-access-token-store.js';

// The command line of `npm run admin`: parsing, validation and exit codes. The token table is an
// in-memory stand-in here; test/integration/iat-admin-cli.test.ts runs the tool against DynamoDB.

class MemoryRegister implements InitialAccessTokenRegister {
  readonly tokens = new Map<string, StoredInitialAccessToken>();
  async create(token: StoredInitialAccessToken) {
    this.tokens.set(token.id, token);
  }
  async list() {
    return [...this.tokens.values()].map(({ secretHash: _hash, ...summary }) => summary);
  }
  async revoke(id: string, nowSeconds: number) {
    const token = this.tokens.get(id);
    if (!token) return 'not-found' as const;
    if (token.revokedAt !== undefined) return 'already-revoked' as const;
    this.tokens.set(id, { ...token, revokedAt: nowSeconds });
    return 'revoked' as const;
  }
}

const NOW = Date.parse('2030-01-01T00:00:00Z');

async function run(argv: string[], env: NodeJS.ProcessEnv = { DCR_IAT_TABLE_NAME: 'tokens' }) {
  const register = new MemoryRegister();
  const out: string[] = [];
  const err: string[] = [];
  let openedTable: string | undefined;
  const code = await runAdmin(argv, {
    env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: () => NOW,
    openRegister: (tableName) => {
      openedTable = tableName;
      return { register, close: () => undefined };
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), register, openedTable };
}

describe('npm run admin -- iat create', () => {
  it('stores the token with the given options and prints it once', async () => {
    const res = await run([
      'iat',
      'create',
      '--uses',
      '5',
      '--expires-in',
      '7d',
      '--scope',
      'dcr:register extra',
      '--subject',
      'team-a',
      '--description',
      'CI of team A',
      '--policies',
      'strict, internal',
    ]);

    expect(res.code).toBe(0);
    const [stored] = [...res.register.tokens.values()];
    expect(stored).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      secretHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      subject: 'team-a',
      scopes: ['dcr:register', 'extra'],
      policies: ['strict', 'internal'],
      description: 'CI of team A',
      createdAt: NOW / 1000,
      expiresAt: NOW / 1000 + 7 * 86_400,
      uses: 5,
      usesLeft: 5,
    });
    const printed = res.out.match(/dcriat_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}/g);
    expect(printed).toEqual([expect.stringContaining(stored!.id)]);
    expect(res.out).toContain('shown this once');
    expect(res.out).toContain('2030-01-08T00:00:00Z');
  });

  it('defaults to one use, 24 hours and the dcr:register scope; --json prints a machine-readable answer', async () => {
    const res = await run(['iat', 'create', '--subject', 'team-b', '--json']);

    expect(res.code).toBe(0);
    const printed = JSON.parse(res.out);
    expect(printed).toEqual({
      token: expect.stringMatching(/^dcriat_/),
      id: expect.any(String),
      subject: 'team-b',
      scope: 'dcr:register',
      policies: [],
      created_at: '2030-01-01T00:00:00Z',
      expires_at: '2030-01-02T00:00:00Z',
      uses: 1,
      uses_left: 1,
    });
  });

  it('takes the table from --table over DCR_IAT_TABLE_NAME', async () => {
    const res = await run(['iat', 'create', '--subject', 't', '--table', 'other-table']);

    expect(res.openedTable).toBe('other-table');
  });

  it.each<[string, string[], NodeJS.ProcessEnv | undefined, RegExp]>([
    ['no command', [], undefined, /no command given/],
    ['an unknown group', ['clients', 'list'], undefined, /unknown command "clients list"/],
    ['an unknown iat command', ['iat', 'rotate'], undefined, /unknown command "iat rotate"/],
    ['an unknown option', ['iat', 'create', '--subject', 't', '--colour', 'red'], undefined, /--colour/],
    ['no subject', ['iat', 'create'], undefined, /needs --subject/],
    ['an empty subject', ['iat', 'create', '--subject', ' '], undefined, /--subject must be/],
    ['zero uses', ['iat', 'create', '--subject', 't', '--uses', '0'], undefined, /--uses must be a whole number from 1/],
    ['uses that are no number', ['iat', 'create', '--subject', 't', '--uses', 'five'], undefined, /--uses must be a whole number/],
    [
      'a duration without unit',
      ['iat', 'create', '--subject', 't', '--expires-in', '7'],
      undefined,
      /--expires-in must be a number with a unit/,
    ],
    ['a duration over a year', ['iat', 'create', '--subject', 't', '--expires-in', '366d'], undefined, /at most 365d/],
    ['an empty scope', ['iat', 'create', '--subject', 't', '--scope', ' '], undefined, /--scope must be/],
    ['a policy name with spaces inside', ['iat', 'create', '--subject', 't', '--policies', 'a b'], undefined, /--policies must be/],
    ['no table', ['iat', 'list'], {}, /no token table: pass --table <name> or set DCR_IAT_TABLE_NAME/],
    ['revoke without an id', ['iat', 'revoke'], undefined, /takes one argument/],
    ['list with an argument', ['iat', 'list', 'x'], undefined, /takes no arguments/],
  ])('%s: exit 2, the reason and the usage on stderr, nothing stored', async (_what, argv, env, reason) => {
    const res = await run(argv, env);

    expect(res.code).toBe(2);
    expect(res.err).toMatch(reason);
    expect(res.err).toContain(USAGE);
    expect(res.out).toBe('');
    expect(res.register.tokens.size).toBe(0);
  });

  it('--help prints the usage and succeeds', async () => {
    const res = await run(['--help']);

    expect({ code: res.code, out: res.out }).toEqual({ code: 0, out: USAGE });
    expect(USAGE).toContain('npm run admin -- clients --help');
    expect(USAGE).toContain('npm run admin -- stack-trace --help');
  });
});

describe('npm run admin -- iat list / revoke', () => {
  it('lists tokens with id, subject, scope, uses left, expiry, revocation and status, and no secret', async () => {
    const created = await run(['iat', 'create', '--subject', 'team-a', '--uses', '3', '--json']);
    const { token, id } = JSON.parse(created.out);

    const listed = await runWith(created.register, ['iat', 'list']);

    expect(listed.code).toBe(0);
    const [header, row] = listed.out.split('\n');
    expect(header).toMatch(/^ID\s+SUBJECT\s+SCOPE\s+USES LEFT\s+EXPIRES\s+REVOKED\s+STATUS\s+DESCRIPTION$/);
    expect(row!.split(/\s{2,}/)).toEqual([id, 'team-a', 'dcr:register', '3/3', '2030-01-02T00:00:00Z', '-', 'active']);
    expect(listed.out).not.toContain(token.slice(-43));
  });

  it('revokes by id; a second revoke says so; an unknown id fails with exit 1', async () => {
    const created = await run(['iat', 'create', '--subject', 'team-a', '--json']);
    const { id } = JSON.parse(created.out);

    const first = await runWith(created.register, ['iat', 'revoke', id]);
    const second = await runWith(created.register, ['iat', 'revoke', id]);
    const unknown = await runWith(created.register, ['iat', 'revoke', 'no-such-id']);
    const listed = await runWith(created.register, ['iat', 'list', '--json']);

    expect([first.code, second.code, unknown.code]).toEqual([0, 0, 1]);
    expect(first.out).toBe(`Revoked initial access token ${id}.`);
    expect(second.out).toMatch(/revoked already/);
    expect(unknown.err).toMatch(/no initial access token with id no-such-id/);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ id, revoked_at: '2030-01-01T00:00:00Z' })]);
  });

  it('says so when there is no token', async () => {
    expect((await run(['iat', 'list'])).out).toBe('No initial access tokens.');
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['30m', 1_800],
    ['12h', 43_200],
    ['7d', 604_800],
    ['365d', 31_536_000],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['0s', '1w', '-1d', '1.5h', ''])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

async function runWith(register: MemoryRegister, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, {
    env: { DCR_IAT_TABLE_NAME: 'tokens' },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: () => NOW,
    openRegister: () => ({ register, close: () => undefined }),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
