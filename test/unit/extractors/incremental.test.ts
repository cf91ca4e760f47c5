import { describe, expect, it } from 'vitest';
import type { ObjectCursor } from '../../../extractors/passes/cursor.js';
import {
  incrementalSearch,
  INCREMENTAL_PROGRESS_PER_SEARCH,
  nextIncremental,
  onIncremental,
  startIncremental,
  type IncrementalEffect,
  type IncrementalEvent,
} from '../../../extractors/passes/incremental.js';
import { PaginationLoopError } from '../../../extractors/passes/pagination.js';
import type { CrmRecord } from '../../../extractors/types.js';

const UPPER = 10_000;
const rows = (n: number, ts: (i: number) => number, idFrom = 1) => Array.from({ length: n }, (_, i) => ({ id: String(idFrom + i), modifiedMs: ts(i) }));
const recs = (r: { id: string }[]): CrmRecord[] => r.map((x) => ({ id: x.id, properties: {} }));

describe('nextIncremental: where the cursor goes after a page', () => {
  const table: [string, { ts: number; id?: string }, { id: string; modifiedMs: number }[], { ts: number; id?: string }][] = [
    ['a short page: everything up to the upper bound is read', { ts: 100 }, rows(3, (i) => 100 + i), { ts: UPPER + 1 }],
    ["a full page: the next query starts at its last row's millisecond (>=)", { ts: 100 }, rows(200, (i) => 100 + i), { ts: 299 }],
    ["a full page all at the cursor's millisecond: the id keyset takes over", { ts: 100 }, rows(200, () => 100), { ts: 100, id: '0' }],
    ['keyset, full page: next ids at the same millisecond', { ts: 100, id: '0' }, rows(200, () => 100, 50), { ts: 100, id: '249' }],
    ['keyset, short page: that millisecond is drained, on to the next', { ts: 100, id: '249' }, rows(5, () => 100, 250), { ts: 101 }],
  ];
  it.each(table)('%s', (_name, inc, page, expected) => {
    expect(nextIncremental(inc, UPPER, page)).toEqual(expected);
  });

  it("derives the progress per search from the page size (the README's 199)", () => {
    expect(INCREMENTAL_PROGRESS_PER_SEARCH).toBe(199);
  });

  it('queries are always first pages: a time range sorted by modified, or one millisecond by id', () => {
    expect(incrementalSearch({ ts: 5 }, UPPER, 'hs_lastmodifieddate', ['a'])).toEqual({
      filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'BETWEEN', value: '5', highValue: String(UPPER) }] }],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      properties: ['a'],
      limit: 200,
    });
    const keyset = incrementalSearch({ ts: 5, id: '77' }, UPPER, 'lastmodifieddate', ['a']);
    expect(keyset.filterGroups).toEqual([
      {
        filters: [
          { propertyName: 'lastmodifieddate', operator: 'EQ', value: '5' },
          { propertyName: 'hs_object_id', operator: 'GT', value: '77' },
        ],
      },
    ]);
    expect(keyset.sorts).toEqual([{ propertyName: 'hs_object_id', direction: 'ASCENDING' }]);
    expect('after' in keyset).toBe(false);
  });
});

describe('incremental transitions', () => {
  const base: ObjectCursor = { incremental: { ts: 100 }, lastFullAt: 1 };
  const drive = (readIds: boolean, events: IncrementalEvent[], cursor = base) => {
    let step = startIncremental('objects:deals', cursor, UPPER, readIds);
    for (const e of events) step = onIncremental(step.state, e);
    return step;
  };
  const full200 = rows(200, (i) => 100 + i);
  const table: [string, boolean, IncrementalEvent[], IncrementalEffect[], ObjectCursor?][] = [
    ['start: search from the cursor', false, [], [{ kind: 'search', position: { ts: 100 } }]],
    ['nothing to do when the cursor is past now minus the lag', false, [], [{ kind: 'done' }], { incremental: { ts: UPPER + 1 } }],
    [
      'records in the search: the next query goes out, this page is staged with the cursor after it',
      false,
      [{ type: 'page', rows: full200, records: recs(full200) }],
      [
        { kind: 'search', position: { ts: 299 } },
        { kind: 'stage', items: recs(full200), archived: false, cursor: { ...base, incremental: { ts: 299 } } },
      ],
    ],
    [
      'the last page: staged, flushed, done',
      false,
      [{ type: 'page', rows: rows(2, () => 500), records: recs(rows(2, () => 500)) }],
      [
        { kind: 'stage', items: recs(rows(2, () => 500)), archived: false, cursor: { ...base, incremental: { ts: UPPER + 1 } } },
        { kind: 'flush' },
        { kind: 'done' },
      ],
    ],
    [
      "ids only: the next search goes out while this page's two batch reads run",
      true,
      [{ type: 'page', rows: full200 }],
      [
        { kind: 'search', position: { ts: 299 } },
        { kind: 'read', seq: 0, ids: full200.slice(0, 100).map((r) => r.id), archived: false },
        { kind: 'read', seq: 0, ids: full200.slice(100).map((r) => r.id), archived: false },
      ],
    ],
    [
      'ids only: staged when both reads are back (ids deleted in between simply missing)',
      true,
      [
        { type: 'page', rows: full200 },
        { type: 'read', seq: 0, items: recs([{ id: '1' }]) },
        { type: 'read', seq: 0, items: [] },
      ],
      [{ kind: 'stage', items: recs([{ id: '1' }]), archived: false, cursor: { ...base, incremental: { ts: 299 } } }],
    ],
    [
      'a query that would repeat fails instead of looping',
      false,
      [
        { type: 'page', rows: rows(200, () => 100), records: [] },
        { type: 'page', rows: rows(200, () => 100, 0), records: [] },
        { type: 'page', rows: rows(200, () => 100, 0), records: [] },
      ],
      [{ kind: 'flush' }, { kind: 'fail', error: new PaginationLoopError('objects:deals', '100/199') }],
    ],
    ['stop', false, [{ type: 'stop' }], [{ kind: 'flush' }, { kind: 'stopped' }]],
    ['a failed search or read', true, [{ type: 'failed', error: 'x' }], [{ kind: 'flush' }, { kind: 'fail', error: 'x' }]],
  ];
  it.each(table)('%s', (_name, readIds, events, expected, cursor) => {
    expect(drive(readIds, events, cursor).effects).toEqual(expected);
  });
});
