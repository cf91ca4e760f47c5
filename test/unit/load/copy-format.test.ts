import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanJson, cleanJsonText, cleanText, NUL_REPLACEMENT } from '../../../src/load/clean-text.js';
import { copyLine } from '../../../src/load/copy-format.js';

/** Decodes one COPY text-format line back into fields (the inverse Postgres applies). */
function decodeCopyLine(line: string): (string | null)[] {
  expect(line.endsWith('\n')).toBe(true);
  return line
    .slice(0, -1)
    .split('\t')
    .map((field) => (field === '\\N' ? null : field.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c)));
}

describe('COPY text format and the cleaning rule', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyLine(['a\tb', 'c\nd\re', 'back\\slash', null, true, 7])).toBe('a\\tb\tc\\nd\\re\tback\\\\slash\t\\N\tt\t7\n');
  });

  it('round-trips any string except the characters Postgres cannot store, which become U+FFFD', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'binary' }), { nil: null }), { minLength: 1, maxLength: 5 }), (fields) => {
        const decoded = decodeCopyLine(copyLine(fields));
        expect(decoded).toEqual(fields.map((f) => (f === null ? null : cleanText(f))));
        for (const f of decoded) if (f !== null) expect(f).not.toContain('\u0000');
      }),
    );
  });

  it('replaces U+0000 and lone surrogates, keeps emoji and other text as it is', () => {
    expect(cleanText('a\u0000b')).toBe(`a${NUL_REPLACEMENT}b`);
    expect(cleanText('x\uD800y')).toBe(`x${NUL_REPLACEMENT}y`);
    expect(cleanText('👍🏽 Zoë 日本')).toBe('👍🏽 Zoë 日本');
  });

  it('cleans JSON text in one pass exactly as the deep clean does, with no \\u0000 escapes left', () => {
    const value = { firstname: 'An\u0000na', nested: { list: ['ok', 'bad\u0000'] }, empty: '', none: null, n: 3 };
    const text = cleanJsonText(value);
    expect(text).not.toContain('\\u0000');
    expect(JSON.parse(text)).toEqual(cleanJson(value));
  });

  it('cleans any JSON value exactly as the deep clean does: keys, values, backslashes before u0000 left alone', () => {
    expect(cleanJsonText({ a: '\\u0000', b: '\\\u0000', c: '\ud83d\ude00', d: 'x\udc00' })).toBe(
      `{"a":"\\\\u0000","b":"\\\\${NUL_REPLACEMENT}","c":"\ud83d\ude00","d":"x${NUL_REPLACEMENT}"}`,
    );
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(
        fc.dictionary(
          text.filter((k) => k !== '__proto__'),
          fc.oneof(text, fc.constant(null), fc.array(text, { maxLength: 3 })),
        ),
        (value) => {
          const cleaned = cleanJsonText(value);
          expect(JSON.parse(cleaned)).toEqual(cleanJson(value));
          expect(cleaned).not.toMatch(/(?<!\\)(\\\\)*\\u(0000|d[89a-f])/);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
