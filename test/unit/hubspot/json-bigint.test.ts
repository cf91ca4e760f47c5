import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJsonKeepingBigIntegers, quoteUnsafeIntegers } from '../../../src/hubspot/json-bigint.js';

describe('parseJsonKeepingBigIntegers', () => {
  it('keeps ids above 2^53 exact as strings and leaves safe numbers alone', () => {
    const text =
      '{"results":[{"from":{"id":"1"},"to":[{"toObjectId":18014398509481985,"associationTypes":[{"typeId":279}]},{"toObjectId":5790939450}]}],"x":-90071992547409931,"f":1.5e3}';
    const parsed = parseJsonKeepingBigIntegers(text) as any;
    expect(parsed.results[0].to[0].toObjectId).toBe('18014398509481985');
    expect(parsed.results[0].to[1].toObjectId).toBe(5790939450);
    expect(parsed.results[0].to[0].associationTypes[0].typeId).toBe(279);
    expect(parsed.x).toBe('-90071992547409931');
    expect(parsed.f).toBe(1500);
  });

  it('does not touch digits inside strings, escapes included', () => {
    const text = '{"a":"12345678901234567890","b":"say \\"99999999999999999\\" x","c":99999999999999999}';
    expect(parseJsonKeepingBigIntegers(text)).toEqual({ a: '12345678901234567890', b: 'say "99999999999999999" x', c: '99999999999999999' });
  });

  it('finds long integers wherever JSON allows a number: the top level, after whitespace, negative', () => {
    expect(parseJsonKeepingBigIntegers('12345678901234567890')).toBe('12345678901234567890');
    expect(parseJsonKeepingBigIntegers(' -12345678901234567890 ')).toBe('-12345678901234567890');
    expect(parseJsonKeepingBigIntegers('[ 1,\n\t 12345678901234567890 ]')).toEqual([1, '12345678901234567890']);
    expect(parseJsonKeepingBigIntegers('{"s":"x12345678901234567890","n":\r-12345678901234567891}')).toEqual({
      s: 'x12345678901234567890',
      n: '-12345678901234567891',
    });
  });

  it('returns the same text when nothing needs quoting', () => {
    const text = '{"a":[1,2,3],"b":9007199254740991}';
    expect(quoteUnsafeIntegers(text)).toBe(text);
  });

  it('property: every bigint id survives exactly, and the rest parses like JSON.parse', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 63n }), { maxLength: 20 }),
        // A double that prints as 16+ digits is indistinguishable from an id; ids are what matter here.
        fc.jsonValue().filter((v) => !/\d{16,}/.test(JSON.stringify(v))),
        (ids, other) => {
          const text = `{"ids":[${ids.join(',')}],"other":${JSON.stringify(other)}}`;
          const parsed = parseJsonKeepingBigIntegers(text) as { ids: unknown[]; other: unknown };
          expect(parsed.ids.map((v) => String(v))).toEqual(ids.map((v) => v.toString()));
          expect(parsed.other).toEqual(JSON.parse(JSON.stringify(other)));
        },
      ),
    );
  });
});
