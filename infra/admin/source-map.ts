// Reading a source map (version 3, https://tc39.es/ecma426/): where a generated line and column came
// from. Only what `npm run admin -- stack-trace` needs: the `mappings` decoded once, then lookups.

/** One mapping segment; all numbers 0-based, as the format stores them. */
export interface MappingSegment {
  readonly generatedColumn: number;
  readonly source?: number;
  readonly originalLine?: number;
  readonly originalColumn?: number;
  readonly name?: number;
}

export interface RawSourceMap {
  readonly version: number;
  readonly sources: readonly (string | null)[];
  readonly names?: readonly string[];
  readonly sourceRoot?: string;
  readonly mappings: string;
}

/** Where a generated position came from: `line` 1-based, `column` 0-based (as V8 and editors count them: line:column+1). */
export interface OriginalPosition {
  readonly source: string;
  readonly line: number;
  readonly column: number;
  /** The original name of the identifier that starts at the generated position, when it was renamed. */
  readonly name?: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64].map((character, value) => [character, value]));
const VLQ_CONTINUATION = 0b100000;
const VLQ_DIGIT = 0b11111;

/**
 * The `mappings` string as segments per generated line, each line's segments in column order. Every
 * field but the generated column is relative to the previous segment's across lines; the generated
 * column restarts on every line.
 */
export function decodeMappings(mappings: string): MappingSegment[][] {
  const lines: MappingSegment[][] = [];
  let source = 0;
  let originalLine = 0;
  let originalColumn = 0;
  let name = 0;
  for (const lineText of mappings.split(';')) {
    const segments: MappingSegment[] = [];
    let generatedColumn = 0;
    for (const segmentText of lineText.split(',')) {
      if (segmentText === '') continue;
      const fields = decodeVlqs(segmentText);
      if (fields.length !== 1 && fields.length !== 4 && fields.length !== 5) {
        throw new Error(`a mapping segment has ${fields.length} fields ("${segmentText}"); 1, 4 or 5 are allowed`);
      }
      generatedColumn += fields[0]!;
      if (fields.length === 1) {
        segments.push({ generatedColumn });
        continue;
      }
      source += fields[1]!;
      originalLine += fields[2]!;
      originalColumn += fields[3]!;
      if (fields.length === 5) name += fields[4]!;
      segments.push({ generatedColumn, source, originalLine, originalColumn, ...(fields.length === 5 && { name }) });
    }
    // the format orders segments by column, but nothing forces a generator to
    segments.sort((a, b) => a.generatedColumn - b.generatedColumn);
    lines.push(segments);
  }
  return lines;
}

/** The signed numbers of one segment: base64 digits of 5 bits, low bits first, the sign in the lowest bit. */
function decodeVlqs(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of text) {
    const digit = BASE64_VALUE.get(character);
    if (digit === undefined) throw new Error(`"${character}" is not a base64 digit of a source map's mappings`);
    value += (digit & VLQ_DIGIT) * 2 ** shift;
    if (digit & VLQ_CONTINUATION) {
      shift += 5;
      if (shift > 30) throw new Error(`a mapping value is longer than 32 bits ("${text}")`);
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  if (shift !== 0) throw new Error(`a mapping segment ends inside a value ("${text}")`);
  return values;
}

/** A parsed source map: look up where a generated position came from. */
export class SourceMap {
  readonly #lines: MappingSegment[][];
  readonly #sources: readonly (string | null)[];
  readonly #names: readonly string[];

  constructor(raw: RawSourceMap) {
    if (raw.version !== 3) throw new Error(`source map version ${raw.version}: only version 3 is read`);
    this.#lines = decodeMappings(raw.mappings);
    const root = raw.sourceRoot ? raw.sourceRoot.replace(/\/?$/, '/') : '';
    this.#sources = raw.sources.map((source) => (source === null ? null : root + source));
    this.#names = raw.names ?? [];
  }

  /**
   * The original position of a generated one (`line` 1-based, `column` 0-based): that of the last
   * segment starting at or before the column on that line. Undefined when nothing maps there.
   */
  originalPositionFor(line: number, column: number): OriginalPosition | undefined {
    const segments = this.#lines[line - 1];
    if (!segments) return undefined;
    const segment = lastAtOrBefore(segments, column);
    if (segment?.source === undefined) return undefined;
    const source = this.#sources[segment.source];
    if (source === undefined || source === null) return undefined;
    const name = segment.name === undefined ? undefined : this.#names[segment.name];
    return { source, line: segment.originalLine! + 1, column: segment.originalColumn!, ...(name !== undefined && { name }) };
  }

  /** Whether a segment starts exactly at this generated position (`line` 1-based, `column` 0-based). */
  startsSegment(line: number, column: number): boolean {
    return lastAtOrBefore(this.#lines[line - 1] ?? [], column)?.generatedColumn === column;
  }

  /** The original name of the renamed identifier that starts exactly at this generated position, if one does. */
  nameAt(line: number, column: number): string | undefined {
    const segment = lastAtOrBefore(this.#lines[line - 1] ?? [], column);
    return segment?.generatedColumn === column && segment.name !== undefined ? this.#names[segment.name] : undefined;
  }

  /** Every generated position (`line` 1-based, `column` 0-based) whose segment carries a name, with that name. */
  *namedPositions(): Generator<{ line: number; column: number; name: string }> {
    for (const [index, segments] of this.#lines.entries()) {
      for (const segment of segments) {
        if (segment.name !== undefined) yield { line: index + 1, column: segment.generatedColumn, name: this.#names[segment.name]! };
      }
    }
  }
}

function lastAtOrBefore(segments: readonly MappingSegment[], column: number): MappingSegment | undefined {
  let low = 0;
  let high = segments.length - 1;
  let found: MappingSegment | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (segments[middle]!.generatedColumn <= column) {
      found = segments[middle];
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
