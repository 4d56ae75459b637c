import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleSourceMaps } from '../../infra/admin/bundle-source-maps.js';
import { runStackTrace, STACK_TRACE_USAGE } from '../../infra/admin/stack-trace-commands.js';
import { buildFunction } from '../../infra/bundling.js';

// `npm run admin -- stack-trace`: the register route is bundled as deployed, run in a child process
// until it fails with a 500 whose request log line carries the stack, and the tool maps that line
// back to the TypeScript of this checkout.

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REFUSAL = 'DCR_LOCAL_FETCH_HOSTS and DCR_LOCAL_FETCH_CA_FILE are for local development only';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

// the register route's builds, made by the first run that needs them
const builds = new Map<string, Promise<BundleSourceMaps>>();

async function stackTrace(argv: string[], stdin = ''): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runStackTrace(['stack-trace', ...argv], {
    env: {},
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readStdin: async () => stdin,
    builds,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The 1-based line of lib/runtime/core.ts that holds `text`. */
async function coreLineOf(text: string): Promise<number> {
  const lines = (await readFile(join(REPO_ROOT, 'lib/runtime/core.ts'), 'utf8')).split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe('npm run admin -- stack-trace', () => {
  let dir: string;
  let logLine: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcr-stack-trace-test-'));
    buildFunction(REPO_ROOT, 'functions/register.ts', dir);
    // local-fetch variables next to DCR_SSM_PREFIX stop the runtime from starting: a 500 whose cause is an Error thrown in lib/
    const script = `const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
await handler({ httpMethod: 'POST', path: '/as/clients.oauth2', headers: {}, body: '{}' }, { awsRequestId: 'test' });`;
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, DCR_SSM_PREFIX: '/dcr/test', DCR_LOCAL_FETCH_HOSTS: 'app.example', DCR_LOG_LEVEL: 'info' },
        },
        (error, _stdout, stderr) => (error ? reject(error) : resolve(stderr)),
      );
    });
    logLine = stderr.split('\n').find((line) => line.includes('"message":"request"')) ?? '';
    expect(JSON.parse(logLine)).toMatchObject({ route: 'register', status: 500, cause: { message: expect.stringContaining(REFUSAL) } });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps the frames of a 5xx request log line to the lib/ file, line and function they ran in', async () => {
    const run = await stackTrace([], `2026-12-02T13:13:54.859Z\ttest\tERROR\t${logLine}\n`);

    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const lines = run.out.split('\n');
    expect(lines[0]).toBe(`Error: ${JSON.parse(logLine).cause.message}`);
    // the throw, then the caller: each at its own line of lib/runtime/core.ts
    const throwLine = (await coreLineOf(REFUSAL)) - 1;
    expect(lines[1]).toMatch(new RegExp(`^ {4}at localFetchOf \\(lib/runtime/core\\.ts:${throwLine}:\\d+\\)$`));
    expect(lines[2]).toMatch(
      new RegExp(`^ {4}at coreFromEnv \\(lib/runtime/core\\.ts:${await coreLineOf('= localFetchOf(environment)')}:\\d+\\)$`),
    );
    expect(run.out).toMatch(/ at (\w+ \()?lib\/http\/api-handler\.ts:\d+:\d+\)?\n/);
    // the frame of the script that imported the bundle is not in the bundle: printed as it was
    expect(lines.at(-1)).toMatch(/^ {4}at file:\/\/\/.*\[eval1\]:\d+:\d+$/);
    expect(run.out).not.toContain('index.mjs');
  });

  it('as an operator runs it (tsx infra/admin/main.ts): a stack as text on standard input with --route', async () => {
    const stack = JSON.parse(logLine).cause.stack as string;

    const run = await new Promise<Run>((resolve) => {
      const child = execFile(
        'npx',
        ['tsx', 'infra/admin/main.ts', 'stack-trace', '--route', 'register'],
        { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
        (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
      );
      child.stdin!.end(`${stack}\n    at async Promise.all (index 0)\n`);
    });

    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('\n    at localFetchOf (lib/runtime/core.ts:');
    expect(run.out.trimEnd().split('\n').at(-1)).toBe('    at async Promise.all (index 0)');
  });

  it('refuses the frames of a chunk this checkout does not build, and the index.mjs frames with them', async () => {
    const stack = (JSON.parse(logLine).cause.stack as string).replace(
      /^( {4}at \w+ \()[^)]*index\.mjs:/m,
      '$1file:///var/task/chunk-ABCDEFGH.mjs:',
    );
    expect(stack).toContain('chunk-ABCDEFGH.mjs');

    const run = await stackTrace(['--route', 'register'], stack);

    expect(run.code).toBe(1);
    expect(run.out).toBe(stack);
    expect(run.err).toContain(
      'chunk-ABCDEFGH.mjs is not a file of the register bundle built from this checkout: check out the deployed commit',
    );
    expect(run.err).toContain('index.mjs is left as it is too: chunk-ABCDEFGH.mjs shows the stack comes from another build');
    expect(run.err).toContain('error: no frame could be mapped');
  });

  it("refuses index.mjs frames at positions that start no expression of this checkout's build", async () => {
    // the same positions, one column on: inside a token, where no V8 frame of this build can be
    const stack = (JSON.parse(logLine).cause.stack as string).replace(
      /index\.mjs:(\d+):(\d+)/g,
      (_all, line, column) => `index.mjs:${line}:${Number(column) + 1}`,
    );

    const run = await stackTrace(['--route', 'register'], stack);

    expect(run.code).toBe(1);
    expect(run.out).toBe(stack);
    expect(run.err).toMatch(/index\.mjs:\d+:\d+ is not the start of an expression in the register bundle built from this checkout/);
  });

  it('needs the route when the input does not name it, and refuses one that contradicts the line', async () => {
    const stack = JSON.parse(logLine).cause.stack as string;

    const unnamed = await stackTrace([], stack);
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toContain('error: the input does not name its function: pass --route');
    expect(unnamed.err).toContain(STACK_TRACE_USAGE);

    const contradicted = await stackTrace(['--route', 'read'], logLine);
    expect(contradicted.code).toBe(2);
    expect(contradicted.err).toContain('the log line is of route register, not --route read');

    const unknown = await stackTrace(['--route', 'registration'], stack);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--route names route "registration": the functions are register, read, update, delete, lifecycle-events');

    const nothing = await stackTrace(['--route', 'register'], '{"level":"info","message":"request","status":200}\n');
    expect(nothing.code).toBe(2);
    expect(nothing.err).toContain('no stack trace in the standard input');
  });
});
