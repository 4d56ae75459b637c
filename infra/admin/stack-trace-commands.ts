// `npm run admin -- stack-trace`: a deployed function's stack trace mapped back to the TypeScript, offline,
// from a checkout of the deployed commit (docs/operations.md, "Reading a stack trace"). The function
// is exported for tests; main.ts runs it from the command line.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LIFECYCLE_EVENTS_ENTRY } from '../lifecycle-events.js';
import { ROUTES } from '../routes.js';
import { type BundleSourceMaps, bundleSourceMaps } from './bundle-source-maps.js';
import { type CommandIo, describeError, parseCommandLine, UsageError } from './command-line.js';
import { rewriteStack, stacksIn } from './stack-trace.js';

/** The functions' bundles by name: the API's routes (the request line's `route`) and the lifecycle events function. */
export const BUNDLE_ENTRIES: ReadonlyMap<string, string> = new Map([
  ...ROUTES.map(({ name, entry }) => [name, entry] as const),
  ['lifecycle-events', LIFECYCLE_EVENTS_ENTRY],
]);

export const STACK_TRACE_USAGE = `Usage: npm run admin -- stack-trace [--route <${[...BUNDLE_ENTRIES.keys()].join('|')}>] [--file <path>]

Maps a deployed function's stack trace back to the TypeScript source. The functions are deployed
without source maps, so a frame reads "at xn (file:///var/task/chunk-LRHXVVYB.mjs:1:42386)"; this
builds the function's bundle from this checkout (it must be the deployed commit, with npm ci done)
with and without source maps, and prints the stack with each bundle frame rewritten to
"at <original name> (lib/.../x.ts:line:column)". Frames outside the bundle are printed as they are.

Input (--file, else standard input): a log line of a function as CloudWatch shows it (the request
line of a 5xx names its route and carries cause.stack; Lambda's report of an uncaught error carries
stack), several of them, or a stack as text.

  --route <name>   the function the stack comes from; needed when the input does not name it
                   (a stack as text, a line of the lifecycle events function)
  --file <path>    read the input from this file

Exit codes: 0 when a frame was mapped, 1 when none could be (a chunk this checkout does not build
means another commit or another route), 2 on wrong usage.`;

const OPTIONS = {
  route: { type: 'string' },
  file: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface StackTraceIo extends CommandIo {
  /** Standard input, read whole (tests pass their own). */
  readonly readStdin?: () => Promise<string>;
  /** The checkout to build from; by default the one this tool runs from. */
  readonly root?: string;
  /** The routes' builds by route name, made on first need (tests share one between runs). */
  readonly builds?: Map<string, Promise<BundleSourceMaps>>;
}

/** Runs `stack-trace ...`; returns the exit code (0 mapped, 1 nothing mapped or failed, 2 wrong usage). */
export async function runStackTrace(argv: readonly string[], io: StackTraceIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    if (values.help) {
      io.out(STACK_TRACE_USAGE);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== 'stack-trace') throw new UsageError('stack-trace takes no arguments, only options');
    if (values.route !== undefined) routeEntry(values.route, '--route');

    const input = values.file === undefined ? await (io.readStdin ?? (() => readStandardInput(io)))() : await readFile(values.file, 'utf8');
    const stacks = stacksIn(input);
    if (stacks.length === 0) throw new UsageError(`no stack trace in the ${values.file === undefined ? 'standard input' : 'file'}`);

    const builds = io.builds ?? new Map<string, Promise<BundleSourceMaps>>();
    const buildOf = (route: string) => {
      let bundle = builds.get(route);
      if (!bundle) {
        bundle = bundleSourceMaps(io.root ?? REPOSITORY_ROOT, routeEntry(route, 'the log line'));
        builds.set(route, bundle);
      }
      return bundle;
    };

    let mapped = 0;
    const refusals = new Set<string>();
    for (const [index, { stack, route: lineRoute }] of stacks.entries()) {
      if (lineRoute !== undefined && values.route !== undefined && lineRoute !== values.route) {
        throw new UsageError(`the log line is of route ${lineRoute}, not --route ${values.route}`);
      }
      const route = lineRoute ?? values.route;
      if (route === undefined) throw new UsageError('the input does not name its function: pass --route');
      const rewritten = rewriteStack(stack, route, await buildOf(route));
      if (index > 0) io.out('');
      io.out(rewritten.text);
      mapped += rewritten.mapped;
      for (const refusal of rewritten.refusals) refusals.add(refusal);
    }
    for (const refusal of refusals) io.err(refusal);
    if (mapped > 0) return 0;
    if (refusals.size === 0) io.err('error: no frame of the stack is in a function bundle (index.mjs, chunk-XXXXXXXX.mjs)');
    else io.err('error: no frame could be mapped');
    return 1;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${STACK_TRACE_USAGE}`);
      return 2;
    }
    io.err(`error: ${describeError(error)}`);
    return 1;
  }
}

function routeEntry(route: string, from: string): string {
  const entry = BUNDLE_ENTRIES.get(route);
  if (entry === undefined)
    throw new UsageError(`${from} names route "${route}": the functions are ${[...BUNDLE_ENTRIES.keys()].join(', ')}`);
  return entry;
}

async function readStandardInput(io: CommandIo): Promise<string> {
  // a terminal: say what is awaited rather than seem to hang
  if (process.stdin.isTTY) io.err('Paste the stack trace or log line, then Ctrl-D (or pass --file <path>):');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
