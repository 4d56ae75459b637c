import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyConfig } from '../../lib/policies/config.js';
import { SETTINGS } from '../../lib/settings/catalog.js';
import { ENVIRONMENT } from '../../lib/settings/environment.js';
import { ENVIRONMENT_DOCS, type EnvironmentVariableDoc } from '../../lib/settings/environment-docs.js';

// The settings table of docs/settings.md is what operators follow: it must name every setting as the code does.
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');
const settingsPage = read('docs/settings.md');

describe('docs/settings.md settings table', () => {
  it.each(SETTINGS.map((definition) => [definition.parameter, definition]))(
    'documents %s with its variable and default',
    (_name, definition) => {
      const row = settingsPage.split('\n').find((line) => line.includes(`\`/dcr/<stage>/${definition.parameter}\``));

      expect(row, `no docs/settings.md row for /dcr/<stage>/${definition.parameter}`).toBeDefined();
      expect(row).toContain(`\`${definition.envVar}\``);
      expect(row).toContain(`\`${definition.defaultValue}\``);
    },
  );

  it('has a row for each setting and no row for a setting the code does not have', () => {
    const documented = [...settingsPage.matchAll(/^\|.*?\| `\/dcr\/<stage>\/([a-z-]+)` +\|/gm)].map((match) => match[1]);

    expect(documented.sort()).toEqual(SETTINGS.map((definition) => definition.parameter).sort());
  });
});

describe('docs/settings.md environment table', () => {
  // cells of each row that names a variable: [name, set by, when unset, meaning]
  const rows = settingsPage
    .split('\n')
    .filter((line) => /^\| `[A-Z_]+` +\|/.test(line))
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );

  it.each(Object.entries(ENVIRONMENT).map(([key, definition]) => [definition.name, ENVIRONMENT_DOCS[key as keyof typeof ENVIRONMENT]]))(
    'documents %s with who sets it and what its absence means',
    (name, doc: EnvironmentVariableDoc) => {
      const row = rows.find((cells) => cells[0] === `\`${name}\``);

      expect(row, `no docs/settings.md row for ${name}`).toBeDefined();
      expect(row![1]).toBe(doc.setBy.join(', '));
      // the page sets variable names in code style; the catalogue's text is plain
      expect(row![2]!.replaceAll('`', '')).toBe(doc.whenUnset);
    },
  );

  it('has a row for each variable of the catalogue and none for a variable the code does not read', () => {
    const documented = rows.map((cells) => cells[0]!.replaceAll('`', ''));

    expect(documented.sort()).toEqual(
      Object.values(ENVIRONMENT)
        .map((definition) => definition.name)
        .sort(),
    );
  });
});

describe('README', () => {
  it('gives the two commands of a fresh clone', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('links the settings page', () => {
    expect(readme).toContain('(docs/settings.md)');
  });
});

describe('docs/policies-and-tokens.md policy example', () => {
  it('is a document the policy loader accepts', () => {
    const page = read('docs/policies-and-tokens.md');
    const section = page.slice(page.indexOf('## Client registration policies'));
    const example = section.slice(section.indexOf('### Example'));
    const json = /```json\n([\s\S]*?)```/.exec(example)?.[1];

    expect(json).toBeDefined();
    expect(() => parsePolicyConfig(json!)).not.toThrow();
  });
});
