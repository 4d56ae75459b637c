import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyConfig } from '../../lib/policies/config.js';
import { SETTINGS } from '../../lib/settings/catalog.js';

// The README's settings table is what operators follow: it must name every setting as the code does.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README settings table', () => {
  it.each(SETTINGS.map((definition) => [definition.parameter, definition]))(
    'documents %s with its variable and default',
    (_name, definition) => {
      const row = readme.split('\n').find((line) => line.includes(`\`/dcr/<stage>/${definition.parameter}\``));

      expect(row, `no README row for /dcr/<stage>/${definition.parameter}`).toBeDefined();
      expect(row).toContain(`\`${definition.envVar}\``);
      expect(row).toContain(`\`${definition.defaultValue}\``);
    },
  );

  it('gives the two commands of a fresh clone', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});

describe('README policy example', () => {
  it('is a document the policy loader accepts', () => {
    const section = readme.slice(readme.indexOf('## Client registration policies'));
    const example = section.slice(section.indexOf('### Example'));
    const json = /```json\n([\s\S]*?)```/.exec(example)?.[1];

    expect(json).toBeDefined();
    expect(() => parsePolicyConfig(json!)).not.toThrow();
  });
});
