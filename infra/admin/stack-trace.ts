// A deployed function's stack trace, its bundle frames (`at xn (file:///var/task/chunk-LRHXVVYB.mjs:1:42386)`)
// rewritten to the TypeScript they came from (`at localFetchOf (lib/runtime/core.ts:92:11)`) with the
// source maps of infra/admin/bundle-source-maps.ts. Frames outside the bundle (node:internal, Lambda's
// runtime) are kept as they are.

import { type BundleSourceMaps, identifierAt, type MappedBundleFile } from './bundle-source-maps.js';

/** A stack found in the input, and the route its log line names (the request line's `route`). */
export interface FoundStack {
  readonly stack: string;
  readonly route?: string;
}

/**
 * The stacks of the input: a log line (JSON, after the prefix CloudWatch may put before it) or several,
 * pretty-printed JSON, or a stack as text. A log line's stack is found where the functions and Lambda
 * put one: the request line's `cause.stack` (lib/http/api-handler.ts), and Lambda's report of an
 * uncaught error, an array of lines: `stack` in the text log format ("Invoke Error"), `stackTrace` in
 * the JSON one, `trace` in an invocation's error answer. Lambda's JSON log format puts our line, as a
 * string, in its `message`.
 */
export function stacksIn(text: string): FoundStack[] {
  // a log copied from a browser on Windows ends its lines with CR LF
  const input = text.replace(/\r\n/g, '\n');
  const whole = stackOfJson(input);
  if (whole) return [whole];
  const found = input.split('\n').flatMap((line) => stackOfJson(line) ?? []);
  if (found.length > 0) return found;
  return input.split('\n').some((line) => parseFrame(line)) ? [{ stack: input.trimEnd() }] : [];
}

function stackOfJson(text: string): FoundStack | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    return stackOf(JSON.parse(text.slice(start)));
  } catch {
    return undefined;
  }
}

function stackOf(value: unknown): FoundStack | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const route = typeof fields.route === 'string' ? fields.route : undefined;
  const cause = fields.cause as Record<string, unknown> | undefined;
  for (const stack of [cause?.stack, fields.stack, fields.stackTrace, fields.trace]) {
    if (typeof stack === 'string') return { stack, route };
    if (Array.isArray(stack) && stack.every((line) => typeof line === 'string')) return { stack: stack.join('\n'), route };
  }
  if (typeof fields.message === 'object') return stackOf(fields.message);
  return typeof fields.message === 'string' ? stackOfJson(fields.message) : undefined;
}

/** One `at ...` line of a V8 stack. */
export interface StackFrame {
  /** What comes before the function: the indentation and `at `, then `async ` or `new ` if there. */
  readonly lead: string;
  /** The function as V8 names it (`xn`, `Kt.publish`), if it does. */
  readonly name?: string;
  /** ` [as alias]` after the name, if there. */
  readonly alias: string;
  /** The file: a path or a URL (`file:///var/task/index.mjs`, `node:internal/...`). */
  readonly location: string;
  readonly line: number;
  /** 1-based, as V8 prints it. */
  readonly column: number;
}

const FRAME = /^(\s*at (?:async |new )?)(?:(.+?)(\s\[as [^\]]+\])? \((.+):(\d+):(\d+)\)|(.+):(\d+):(\d+))$/;

export function parseFrame(text: string): StackFrame | undefined {
  const match = FRAME.exec(text);
  if (!match) return undefined;
  const [, lead, name, alias, location, line, column, bareLocation, bareLine, bareColumn] = match;
  return {
    lead: lead!,
    name,
    alias: alias ?? '',
    location: location ?? bareLocation!,
    line: Number(line ?? bareLine),
    column: Number(column ?? bareColumn),
  };
}

// esbuild's file names: the entry `index.mjs`, chunks `[name]-[hash].mjs`
const CHUNK_NAME = /^[\w.-]+-[A-Z0-9]{8}\.mjs$/;
const ENTRY_NAME = 'index.mjs';

/**
 * The bundle file a frame is in (`chunk-LRHXVVYB.mjs`), or undefined for code outside the bundle:
 * Node's own, and Lambda's runtime, whose file is also named index.mjs (in /var/runtime, the bundle
 * being in /var/task).
 */
export function bundleFileOf(location: string): string | undefined {
  const filePath = location.startsWith('file://') ? pathOfFileUrl(location) : location;
  if (filePath === undefined || !filePath.startsWith('/') || filePath.startsWith('/var/runtime/')) return undefined;
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  return name === ENTRY_NAME || CHUNK_NAME.test(name) ? name : undefined;
}

function pathOfFileUrl(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
}

export interface RewrittenStack {
  readonly text: string;
  /** How many frames were mapped to the source. */
  readonly mapped: number;
  /** Why bundle frames were left as they are, one line per file. */
  readonly refusals: readonly string[];
}

/**
 * The stack with every frame of the bundle (of route `route`) rewritten to its source position and
 * original function name; `bundle` is that route's build from this checkout. A frame is mapped only
 * when nothing shows the stack comes from another build: a chunk's name carries the hash of its code,
 * so a name the build does not have is one; and V8 places a frame at the start of an expression (the
 * call, the `new`, the `await`) where esbuild's map always starts a segment, so a position elsewhere is
 * another. The entry index.mjs has no hash in its name: that position check is its only test, and its
 * frames are left as they are as soon as any file of the stack fails.
 */
export function rewriteStack(stack: string, route: string, bundle: BundleSourceMaps): RewrittenStack {
  const lines = stack.split('\n');
  const frames = lines.map(parseFrame);
  const fileOf = frames.map((frame) => (frame ? bundleFileOf(frame.location) : undefined));
  const refusals = new Map<string, string>();
  const remedy = 'check out the deployed commit';

  for (const [index, name] of fileOf.entries()) {
    if (name === undefined || refusals.has(name)) continue;
    const file = bundle.files.get(name);
    const { line, column } = frames[index]!;
    if (!file) refusals.set(name, `${name} is not a file of the ${route} bundle built from this checkout: ${remedy}`);
    else if (!file.map.startsSegment(line, column - 1)) {
      refusals.set(
        name,
        `${name}:${line}:${column} is not the start of an expression in the ${route} bundle built from this checkout: ${remedy}`,
      );
    }
  }
  if (refusals.size > 0 && fileOf.includes(ENTRY_NAME) && !refusals.has(ENTRY_NAME)) {
    const others = [...refusals.keys()];
    refusals.set(
      ENTRY_NAME,
      `${ENTRY_NAME} is left as it is too: ${others.join(', ')} show${others.length === 1 ? 's' : ''} the stack comes from another build`,
    );
  }

  // the file and 0-based generated position of each frame to map
  const positions = frames.map((frame, index) => {
    const name = fileOf[index];
    const file = name === undefined || refusals.has(name) ? undefined : bundle.files.get(name);
    return frame && file && { file, line: frame.line, column: frame.column - 1 };
  });

  let mapped = 0;
  const text = lines.map((original, index) => {
    const frame = frames[index];
    const at = positions[index];
    const position = at?.file.map.originalPositionFor(at.line, at.column);
    if (!frame || !at || !position) return original;
    mapped++;
    const source = `${bundle.sourcePath(position.source)}:${position.line}:${position.column + 1}`;
    const name = frame.name === undefined ? undefined : originalName(frame.name, at.file, callerOf(frames, positions, index));
    return name === undefined ? `${frame.lead}${source}` : `${frame.lead}${name}${frame.alias} (${source})`;
  });
  return { text: text.join('\n'), mapped, refusals: [...refusals.values()] };
}

interface GeneratedPosition {
  readonly file: MappedBundleFile;
  readonly line: number;
  readonly column: number;
}

/** The position of the frame below this one (its caller), when that frame is mapped too. */
function callerOf(
  frames: readonly (StackFrame | undefined)[],
  positions: readonly (GeneratedPosition | undefined)[],
  index: number,
): GeneratedPosition | undefined {
  const below = frames.findIndex((frame, other) => other > index && frame !== undefined);
  return below < 0 ? undefined : positions[below];
}

/**
 * The original of a minified function name (`xn`, `Kt.publish`), or undefined when the map cannot
 * tell. The caller's frame is the surest witness: its position is the call, and where the code there
 * is the called name, the map names it (as Node does with --enable-source-maps). Otherwise a name the
 * minifier renamed to the same identifier everywhere in the file is taken; a name it never renamed is
 * already the original; an identifier renamed from several names (short ones, reused across scopes)
 * leaves the frame without a name rather than with a wrong one.
 */
function originalName(name: string, file: MappedBundleFile, caller: GeneratedPosition | undefined): string | undefined {
  const parts = name.split('.');
  const last = parts.length - 1;
  const called =
    caller && identifierAt(caller.file.lines[caller.line - 1] ?? '', caller.column) === parts[last]
      ? caller.file.map.nameAt(caller.line, caller.column)
      : undefined;
  const originals = parts.map((part, index) => (index === last && called !== undefined ? called : uniqueOriginal(part, file)));
  return originals.includes(undefined) ? undefined : originals.join('.');
}

function uniqueOriginal(identifier: string, file: MappedBundleFile): string | undefined {
  const originals = file.renamed().get(identifier);
  if (originals === undefined) return identifier;
  return originals.size === 1 ? [...originals][0] : undefined;
}
