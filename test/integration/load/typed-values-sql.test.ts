import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Database } from '../../../src/db/database.js';
import { SQL_FUNCTIONS, SQL_TYPES, typedFunctionsSql, typeValue, type TypingRule } from '../../../src/load/typed-values.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';

/**
 * The typing rules run in two places: JavaScript in the loader's hook (its output is read by Postgres' input
 * functions through COPY) and SQL in the views and rebuilds. Both must give the same value for every string, and
 * neither may ever raise an error.
 */
const handle = useTestDatabase('typed_values');
let db: Database;
beforeAll(async () => {
  db = await openMigrated(handle);
  await db.query(typedFunctionsSql('hubspot'));
});
afterAll(async () => {
  await db?.close();
});

/** Both sides for each string; the query itself failing is the other half of the test (no string may raise). */
async function compare(rule: TypingRule, values: (string | null)[]): Promise<void> {
  const js = values.map((v) => typeValue(rule, v));
  const fn = SQL_FUNCTIONS[rule] ? `hubspot.${SQL_FUNCTIONS[rule]}(x.v)` : 'x.v';
  const { rows } = await db.query<{ i: string; v: string | null; sql: string | null; js: string | null; same: boolean }>(
    `select x.i, x.v, ${fn}::text as sql, x.j::${SQL_TYPES[rule]}::text as js, ${fn} is not distinct from x.j::${SQL_TYPES[rule]} as same
     from unnest($1::text[], $2::text[]) with ordinality as x(v, j, i)`,
    [values, js],
  );
  for (const r of rows) expect({ value: r.v, sql: r.sql, js: r.js, same: r.same }).toEqual({ value: r.v, sql: r.js, js: r.js, same: true });
}

const EDGES: Record<Exclude<TypingRule, 'text'>, string[]> = {
  number: [
    '0',
    '-0',
    '+1',
    '1.',
    '.5',
    ' 42 ',
    '\t7\n',
    '1e307',
    '9.9999e307',
    '1e308',
    '-1e308',
    '1e999',
    '1e-999',
    '1e1000',
    '12,5',
    'N/A',
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x1F',
    '1_000',
    '١٢٣',
    '1 000',
    '1e',
    'e1',
    '.',
    '+-1',
    '9'.repeat(308),
    '9'.repeat(307),
    '1'.repeat(1000),
    '1'.repeat(1001),
  ],
  datetime: [
    '2025-02-28T12:34:56.789Z',
    '2025-02-28T12:34:56Z',
    '2025-02-28T12:34:56+01:00',
    '2025-02-28T12:34:56-0530',
    '2025-02-28T12:34+14',
    '2025-02-28 12:34',
    '2025-02-28',
    '2024-02-29',
    '2025-02-29',
    '1900-02-29',
    '2000-02-29',
    '31/02/2025',
    '2025-02-31T00:00:00Z',
    '2025-04-31',
    '2025-13-01',
    '0000-01-01',
    '1001-01-01T00:00:00+14:00',
    '9998-12-31T23:59:59-14:59',
    '1740700800000',
    '0',
    '-1',
    '-9999999999999',
    '9999999999999',
    '99999999999999',
    '2025-02-28T24:00:00Z',
    '2025-02-28T23:59:60Z',
    '2025-02-28T12:34:56.123456Z',
    '2025-02-28T12:34:56.1234567Z',
    'today',
    'now',
    'epoch',
    'infinity',
    'N/A',
    '',
    ' ',
    ' 2025-02-28',
    '2025-02-28t12:00:00z',
    '٢٠٢٥-٠٢-٢٨',
  ],
  date: ['2025-02-28', '2025-02-28T23:30:00-01:00', '2025-03-01T00:30:00+01:00', '1740700800000', '1740700799999', '31/02/2025', '2025-02-30', 'N/A', ''],
  bool: ['true', 'false', 'TRUE', 'False', ' yes ', 'no', '1', '0', 'maybe', '', ' ', 't', 'f', 'on', 'off', 'y', 'n'],
  multi: ['a', 'a;b', 'a;;b', ';', ';;', '', ' ', 'say "hi";back\\slash', '{x}', 'a,b', 'NULL', '"'],
};

describe('typing rules: JavaScript (loader) and SQL (views, rebuilds) agree, and never raise', () => {
  for (const [rule, values] of Object.entries(EDGES) as [TypingRule, string[]][]) {
    it(`${rule}: the hard cases`, async () => {
      await compare(rule, [...values, null]);
    });
  }

  it('numbers: generated near-numbers and doubles', async () => {
    const nearNumber = fc.stringMatching(/^[ ]?[+-]?[0-9]{0,5}([.][0-9]{0,4})?([eE][+-]?[0-9]{1,4})?[ ]?$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(nearNumber, fc.double().map(String), fc.bigInt().map(String)), { maxLength: 100 }), (vs) => compare('number', vs)),
      { numRuns: 30 },
    );
  });

  it('datetimes and dates: generated near-ISO strings and epoch milliseconds', async () => {
    const nearIso = fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,8})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$/);
    const epoch = fc.integer({ min: -99_999_999_999_999, max: 99_999_999_999_999 }).map(String);
    const gen = fc.array(fc.oneof(nearIso, epoch), { maxLength: 100 });
    await fc.assert(
      fc.asyncProperty(gen, (vs) => compare('datetime', vs)),
      { numRuns: 30 },
    );
    await fc.assert(
      fc.asyncProperty(gen, (vs) => compare('date', vs)),
      { numRuns: 30 },
    );
  });

  it('any string at all, for every rule', async () => {
    const anything = fc.array(fc.string({ unit: 'grapheme-composite', maxLength: 30 }), { maxLength: 50 });
    for (const rule of ['number', 'datetime', 'date', 'bool', 'multi', 'text'] as const) {
      await fc.assert(
        fc.asyncProperty(anything, (vs) => compare(rule, vs)),
        { numRuns: 10 },
      );
    }
  });
});
