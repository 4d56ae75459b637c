import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { decodeMappings, SourceMap } from '../../infra/admin/source-map.js';

// The source map reader of `npm run admin -- stack-trace`: the VLQ decoding against values worked out
// by hand from the format, and lookups against a map esbuild writes.

describe('decodeMappings', () => {
  it('decodes 1-, 4- and 5-field segments, relative values across lines, multi-digit and negative values', () => {
    // "AAAA": all zero; "SAAS,CAAC": column 9 then 10, original column 9 then 10; ";" a line without
    // segments; "gBCCgBC": column 16, next source, line +1, original column +16 (26), name 1; "D": column
    // -1 from 16 -> 15 (sorted first), with no original
    expect(decodeMappings('AAAA,SAAS,CAAC;;gBCCgBC,D')).toEqual([
      [
        { generatedColumn: 0, source: 0, originalLine: 0, originalColumn: 0 },
        { generatedColumn: 9, source: 0, originalLine: 0, originalColumn: 9 },
        { generatedColumn: 10, source: 0, originalLine: 0, originalColumn: 10 },
      ],
      [],
      [{ generatedColumn: 15 }, { generatedColumn: 16, source: 1, originalLine: 1, originalColumn: 26, name: 1 }],
    ]);
  });

  it('refuses what is not a mappings string', () => {
    expect(() => decodeMappings('AA')).toThrow('a mapping segment has 2 fields');
    expect(() => decodeMappings('A*AA')).toThrow('"*" is not a base64 digit');
    expect(() => decodeMappings('AAAg')).toThrow('ends inside a value');
  });
});

describe('SourceMap', () => {
  it('finds the original line, column and name of positions in minified code, as esbuild mapped them', async () => {
    const source = [
      'export function outerFunction(firstValue: number) {',
      '  const doubledValue = firstValue * 2;',
      '  return helperFunction(doubledValue);',
      '}',
      'function helperFunction(input: number) {',
      "  throw new Error('at ' + input);",
      '}',
    ].join('\n');
    const { code, map } = await transform(source, {
      loader: 'ts',
      format: 'esm',
      minify: true,
      sourcemap: 'external',
      sourcefile: 'lib/example.ts',
    });
    const sourceMap = new SourceMap(JSON.parse(map));
    const [line, ...rest] = code.trimEnd().split('\n');
    expect(rest).toEqual([]);

    const callColumn = line!.search(/[\w$]+\([\w$]+\)\}function/);
    const call = sourceMap.originalPositionFor(1, callColumn);
    expect(call).toEqual({ source: 'lib/example.ts', line: 3, column: 9, name: 'helperFunction' });
    expect(sourceMap.startsSegment(1, callColumn)).toBe(true);
    expect(sourceMap.nameAt(1, callColumn)).toBe('helperFunction');

    const throwColumn = line!.indexOf('new Error');
    expect(sourceMap.originalPositionFor(1, throwColumn)).toMatchObject({ source: 'lib/example.ts', line: 6, column: 8 });
    // inside a token: the segment it belongs to, but no segment starts there
    expect(sourceMap.originalPositionFor(1, throwColumn + 1)).toMatchObject({ line: 6, column: 8 });
    expect(sourceMap.startsSegment(1, throwColumn + 1)).toBe(false);
    expect(sourceMap.originalPositionFor(2, 0)).toBeUndefined();
  });

  it('reads only version 3', () => {
    expect(() => new SourceMap({ version: 2, sources: [], mappings: '' })).toThrow('only version 3');
  });
});
