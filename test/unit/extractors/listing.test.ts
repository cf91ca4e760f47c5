import { describe, expect, it } from 'vitest';
import type { ObjectCursor } from '../../../extractors/passes/cursor.js';
import { onListing, startListing, type ListingEffect, type ListingEvent, type ListingStart, type ListingState } from '../../../extractors/passes/listing.js';
import { PaginationLoopError } from '../../../extractors/passes/pagination.js';

type R = { id: string };
const rec = (...ids: string[]): R[] => ids.map((id) => ({ id }));
const ids200 = Array.from({ length: 200 }, (_, i) => String(1000 + i));
const T0 = 5_000;
const base: ObjectCursor = { incremental: { ts: 1 }, lastSweepAt: 2 };

const full = (o: Partial<ListingStart> = {}): ListingStart => ({
  pass: 'full',
  stream: 'objects:deals',
  cursor: { ...base, full: { startedAt: T0, strategy: 'inline' } },
  position: { startedAt: T0, strategy: 'inline' },
  listArchived: false,
  readIds: false,
  ...o,
});

/** Runs events from the start; returns the effects of the last step and the state after it. */
function drive(start: ListingStart, events: ListingEvent<R>[]): { effects: ListingEffect<R>[]; state: ListingState<R> } {
  let step = startListing<R>(start);
  for (const e of events) step = onListing(step.state, e);
  return step;
}

const confirmCursor = (archivedListed: boolean, pass: 'full' | 'sweep' = 'full'): ObjectCursor => ({
  ...base,
  confirm: { startedAt: T0, pass, archivedListed },
});

describe('listing transitions (full, sweep, archived)', () => {
  const table: [string, ListingStart, ListingEvent<R>[], ListingEffect<R>[]][] = [
    ['start: fetch the first page', full(), [], [{ kind: 'fetch', after: undefined, archived: false }]],
    [
      'resume: fetch the page after the committed one',
      full({ position: { startedAt: T0, after: '500', strategy: 'inline' } }),
      [],
      [{ kind: 'fetch', after: '500', archived: false }],
    ],
    [
      'a page with a next cursor: ask for the next page first, then stage this one with the cursor after it',
      full(),
      [{ type: 'page', items: rec('1', '2'), next: '3' }],
      [
        { kind: 'fetch', after: '3', archived: false },
        { kind: 'stage', items: rec('1', '2'), archived: false, cursor: { ...base, full: { startedAt: T0, after: '3', archived: false, strategy: 'inline' } } },
      ],
    ],
    [
      'the last page: staged with the confirmation cursor, flushed, then confirm (the only way to confirm)',
      full(),
      [
        { type: 'page', items: rec('1'), next: '2' },
        { type: 'page', items: rec('2') },
      ],
      [
        { kind: 'stage', items: rec('2'), archived: false, cursor: confirmCursor(false) },
        { kind: 'flush' },
        { kind: 'confirm', confirm: { startedAt: T0, pass: 'full', archivedListed: false }, cursor: confirmCursor(false) },
      ],
    ],
    [
      'with --include-archived the end of the live list starts the archived phase',
      full({ listArchived: true }),
      [{ type: 'page', items: rec('1') }],
      [
        { kind: 'fetch', after: undefined, archived: true },
        { kind: 'stage', items: rec('1'), archived: false, cursor: { ...base, full: { startedAt: T0, archived: true, strategy: 'inline' } } },
      ],
    ],
    [
      'the end of the archived phase confirms, knowing archived ids were listed',
      full({ listArchived: true }),
      [
        { type: 'page', items: rec('1') },
        { type: 'page', items: rec('9') },
      ],
      [
        { kind: 'stage', items: rec('9'), archived: true, cursor: confirmCursor(true) },
        { kind: 'flush' },
        { kind: 'confirm', confirm: { startedAt: T0, pass: 'full', archivedListed: true }, cursor: confirmCursor(true) },
      ],
    ],
    [
      'a repeated next cursor fails the pass (pages before it are committed), never loops',
      full(),
      [
        { type: 'page', items: rec('1'), next: 'A' },
        { type: 'page', items: rec('2'), next: 'B' },
        { type: 'page', items: rec('3'), next: 'A' },
      ],
      [{ kind: 'flush' }, { kind: 'fail', error: new PaginationLoopError('objects:deals', 'A') }],
    ],
    [
      'a next cursor equal to the one the pass resumed from is a loop too',
      full({ position: { startedAt: T0, after: 'X', strategy: 'inline' } }),
      [{ type: 'page', items: rec('1'), next: 'X' }],
      [{ kind: 'flush' }, { kind: 'fail', error: new PaginationLoopError('objects:deals', 'X') }],
    ],
    ['stop: commit what is staged and stop', full(), [{ type: 'stop' }], [{ kind: 'flush' }, { kind: 'stopped' }]],
    ['a failed request: commit what is staged, then fail', full(), [{ type: 'failed', error: 'boom' }], [{ kind: 'flush' }, { kind: 'fail', error: 'boom' }]],
    [
      'by ids: a page of ids becomes batch reads, and the next id page is asked for at once',
      full({ readIds: true, position: { startedAt: T0, strategy: 'by-ids' } }),
      [{ type: 'page', ids: ids200, next: '1199' }],
      [
        { kind: 'fetch', after: '1199', archived: false },
        { kind: 'read', seq: 0, ids: ids200.slice(0, 100), archived: false },
        { kind: 'read', seq: 0, ids: ids200.slice(100), archived: false },
      ],
    ],
    [
      'by ids: a page is staged when its reads are back',
      full({ readIds: true, position: { startedAt: T0, strategy: 'by-ids' } }),
      [
        { type: 'page', ids: ids200, next: '1199' },
        { type: 'read', seq: 0, items: rec('1000') },
        { type: 'read', seq: 0, items: rec('1100') },
      ],
      [
        {
          kind: 'stage',
          items: rec('1000', '1100'),
          archived: false,
          cursor: { ...base, full: { startedAt: T0, after: '1199', archived: false, strategy: 'by-ids' } },
        },
      ],
    ],
    [
      'sweep: ids are staged as they are (to mark seen), the end confirms the sweep',
      {
        pass: 'sweep',
        stream: 'objects:deals',
        cursor: { ...base, sweep: { startedAt: T0 } },
        position: { startedAt: T0 },
        listArchived: false,
        readIds: false,
      },
      [{ type: 'page', ids: ['1', '2'] }],
      [
        { kind: 'stage', items: ['1', '2'] as unknown as R[], archived: false, cursor: confirmCursor(false, 'sweep') },
        { kind: 'flush' },
        { kind: 'confirm', confirm: { startedAt: T0, pass: 'sweep', archivedListed: false }, cursor: confirmCursor(false, 'sweep') },
      ],
    ],
    [
      'archived (incremental runs): archived records, no position kept, no confirmation',
      { pass: 'archived', stream: 'objects:deals', cursor: base, position: { startedAt: T0 }, listArchived: false, readIds: false },
      [
        { type: 'page', items: rec('7'), next: '8' },
        { type: 'page', items: rec('8') },
      ],
      [{ kind: 'stage', items: rec('8'), archived: true, cursor: base }, { kind: 'flush' }, { kind: 'done' }],
    ],
  ];
  it.each(table)('%s', (_name, start, events, expected) => {
    expect(drive(start, events).effects).toEqual(expected);
  });

  it('by ids: the id chain runs at most PIPELINE_PAGES_AHEAD pages ahead of the reads, and resumes when a page completes', () => {
    const start = full({ readIds: true, position: { startedAt: T0, strategy: 'by-ids' } });
    let step = startListing<R>(start);
    for (let i = 0; i < 4; i++) step = onListing(step.state, { type: 'page', ids: [`${i}`], next: `${i}` });
    expect(step.effects.some((e) => e.kind === 'fetch')).toBe(false);
    expect(step.state.due).toEqual({ after: '3', archived: false });
    step = onListing(step.state, { type: 'read', seq: 0, items: rec('0') });
    expect(step.effects[0]).toEqual({ kind: 'fetch', after: '3', archived: false });
    expect(step.effects[1]).toMatchObject({ kind: 'stage', items: rec('0') });
  });

  it('nothing after the pass ended is accepted', () => {
    const { state } = drive(full(), [{ type: 'stop' }]);
    expect(() => onListing(state, { type: 'page', items: [] })).toThrow(/after the pass stopped/);
  });
});
