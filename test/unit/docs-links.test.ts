import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// The documentation lives in the repository: README.md and docs/. Every relative link must reach a
// file that exists, every #anchor a heading of its target, and nothing may point outside the
// repository at material a reader of the repository does not have.

type Files = ReadonlyMap<string, string>;

/** README.md and every .md file below docs/, by path relative to the repository root. */
function documentation(): Map<string, string> {
  const files = new Map<string, string>([['README.md', readFileSync('README.md', 'utf8')]]);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.set(path, readFileSync(path, 'utf8'));
    }
  };
  walk('docs');
  return files;
}

/** The lines of a page outside fenced code blocks, with inline code spans removed. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

const stripCode = (line: string) => line.replace(/(`+)[\s\S]*?\1/g, '');

/** Targets of inline links and images `[text](target "title")` and of reference definitions `[ref]: target`. */
function linksOf(markdown: string): string[] {
  const links: string[] = [];
  for (const line of proseLines(markdown)) {
    const text = stripCode(line);
    for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push(match[1]!);
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text);
    if (definition) links.push(definition[1]!);
  }
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped except - and _, each space a -. */
function slugOf(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link counts by its text
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** The anchors of a page's headings; a repeated heading gets -1, -2, ... as on GitHub. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = slugOf(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/**
 * Every relative link of `files` that does not resolve: its file missing (as `exists` says), or its
 * #anchor not a heading of the target page. Links with a scheme (https:, mailto:) are not checked.
 */
function brokenLinks(files: Files, exists: (path: string) => boolean): string[] {
  const broken: string[] = [];
  for (const [source, markdown] of files) {
    for (const link of linksOf(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) continue;
      const [pathPart = '', anchor] = link.split('#', 2) as [string, string | undefined];
      const target = pathPart === '' ? source : normalize(join(dirname(source), decodeURI(pathPart)));
      if (target.startsWith('..') || !(files.has(target) || exists(target))) {
        broken.push(`${source}: ${link} (no file ${target})`);
        continue;
      }
      if (anchor === undefined || !target.endsWith('.md')) continue;
      const page = files.get(target) ?? readFileSync(target, 'utf8');
      if (!anchorsOf(page).has(anchor)) broken.push(`${source}: ${link} (no heading #${anchor} in ${target})`);
    }
  }
  return broken;
}

const FORBIDDEN = ['REFERENCE.md', '../shared/'];

/** Files of the repository's own source and docs that mention material outside the repository. */
function outsideReferences(files: Files): string[] {
  const found: string[] = [];
  for (const [path, text] of files) {
    for (const needle of FORBIDDEN) if (text.includes(needle)) found.push(`${path} mentions ${needle}`);
  }
  return found;
}

function sourceAndDocs(): Map<string, string> {
  const files = documentation();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (statSync(path).size < 1_000_000) files.set(path, readFileSync(path, 'utf8'));
    }
  };
  for (const dir of ['lib', 'functions', 'infra']) walk(dir);
  return files;
}

describe('the link checker', () => {
  const example = new Map([
    [
      'README.md',
      [
        '# Title',
        'See [the guide](docs/guide.md), [its setup](docs/guide.md#set-it-up) and [this](#title).',
        'Broken: [gone](docs/gone.md), [bad anchor](docs/guide.md#nowhere), [self](#missing).',
        '[ref]: docs/other.md',
        'Not links: `[code](docs/none.md)` and https://example.com, [web](https://example.com/x.md).',
        '```',
        '[fenced](docs/fenced.md)',
        '```',
      ].join('\n'),
    ],
    ['docs/guide.md', '# Guide\n\n## Set it up\n\nBack to [the start](../README.md#title) and [up](../../outside.md).\n'],
  ]);

  it('finds each broken link and anchor, and nothing else', () => {
    expect(brokenLinks(example, () => false)).toEqual([
      'README.md: docs/gone.md (no file docs/gone.md)',
      'README.md: docs/guide.md#nowhere (no heading #nowhere in docs/guide.md)',
      'README.md: #missing (no heading #missing in README.md)',
      'README.md: docs/other.md (no file docs/other.md)',
      'docs/guide.md: ../../outside.md (no file ../outside.md)',
    ]);
  });

  it('makes anchors as GitHub does', () => {
    expect(slugOf('`software-statement` (RFC 7591 §2.3)')).toBe('software-statement-rfc-7591-23');
    expect(slugOf('Table item layout (for the authorization server)')).toBe('table-item-layout-for-the-authorization-server');
    expect(slugOf('Tokens issued by this service (`npm run admin`)')).toBe('tokens-issued-by-this-service-npm-run-admin');
    expect(slugOf('Client caps (`caps`)')).toBe('client-caps-caps');
    expect(slugOf('See [the guide](x.md) here')).toBe('see-the-guide-here');
    expect([...anchorsOf('# A\n## A\n```\n# Not a heading\n```\n### B_c d')]).toEqual(['a', 'a-1', 'b_c-d']);
  });

  it('finds mentions of material outside the repository', () => {
    const files = new Map([
      ['lib/a.ts', '// see REFERENCE.md'],
      ['docs/b.md', 'as in [x](../shared/spec/x.md)'],
      ['lib/c.ts', '// docs/reference.md'],
    ]);

    expect(outsideReferences(files)).toEqual(['lib/a.ts mentions REFERENCE.md', 'docs/b.md mentions ../shared/']);
  });
});

describe('the documentation of this repository', () => {
  const files = documentation();

  it('is README.md and the pages of docs/, each linked from README.md', () => {
    const pages = [...files.keys()].filter((path) => path.startsWith('docs/'));
    const fromReadme = new Set(linksOf(files.get('README.md')!).map((link) => link.split('#')[0]));

    expect(pages).toContain('docs/reference.md');
    expect(pages.filter((page) => !fromReadme.has(page))).toEqual([]);
  });

  it('has relative links that all resolve, anchors included', () => {
    const links = [...files.values()].flatMap(linksOf);
    expect(links.length).toBeGreaterThan(20);

    expect(brokenLinks(files, existsSync)).toEqual([]);
  });

  it('is at most 200 lines on the first page', () => {
    expect(files.get('README.md')!.split('\n').length).toBeLessThanOrEqual(200);
  });
});

describe('lib/, functions/, infra/, docs/ and README.md', () => {
  it('never mention material outside the repository', () => {
    const files = sourceAndDocs();
    expect(files.size).toBeGreaterThan(50);
    expect(files.has('lib/errors.ts')).toBe(true);

    expect(outsideReferences(files)).toEqual([]);
  });
});

describe('docs/reference.md', () => {
  // Every status and `error` code lib/errors.ts can give has a row in the reference's error table, and
  // the table names no code the code does not have. The 405 answer has no body, so its row names none.
  const errorsSource = readFileSync('lib/errors.ts', 'utf8');
  const reference = readFileSync('docs/reference.md', 'utf8');
  const given = [...errorsSource.matchAll(/new RegistrationError\(\s*(\d{3}),\s*'([a-z_]+)'([^;]*)/g)].map(([, status, code, rest]) => ({
    status: status!,
    code: rest!.includes('emptyBody: true') ? undefined : code!,
  }));
  const rows = [...reference.matchAll(/^\| (\d{3}) +\| (?:`([a-z_]+)`|\(empty body\)) +\|/gm)].map(([, status, code]) => ({
    status: status!,
    code,
  }));

  it('reads the codes of lib/errors.ts and the rows of the table', () => {
    expect(given.length).toBeGreaterThan(10);
    expect(rows.length).toBeGreaterThan(10);
  });

  it('has a row for every status and error code the service gives, and none other', () => {
    const key = ({ status, code }: { status: string; code?: string }) => `${status} ${code ?? '(empty body)'}`;

    expect([...new Set(rows.map(key))].sort()).toEqual([...new Set(given.map(key))].sort());
  });
});
