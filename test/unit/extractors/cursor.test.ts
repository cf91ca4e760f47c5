import { describe, expect, it } from 'vitest';
import {
  afterFullPass,
  afterSweep,
  fullStart,
  newAssociationTargets,
  planPasses,
  sweepStart,
  type ObjectCursor,
  type Pass,
  type PlanOptions,
} from '../../../extractors/passes/cursor.js';

const NOW = 1_000_000_000;
const DAY = 86_400_000;
const base: PlanOptions = {
  fullRefresh: false,
  includeArchived: false,
  sweepDeletes: false,
  refreshAssociations: false,
  deleteSweepMs: DAY,
  associationsRefreshMs: 0,
  readsAssociations: true,
};
const fresh: ObjectCursor = { incremental: { ts: NOW - 5000 }, lastSweepAt: NOW - 1000, lastAssociationsAt: NOW - 1000 };

describe('planPasses: which passes a run makes for a type', () => {
  const table: [string, ObjectCursor, Partial<PlanOptions>, Pass[]][] = [
    ['no cursor: a full pass', {}, {}, ['full']],
    ['a full pass under way is resumed', { ...fresh, full: { startedAt: 1 } }, {}, ['full']],
    ['--full-refresh', fresh, { fullRefresh: true }, ['full']],
    ['incremental, associations refreshed every run by default', fresh, {}, ['incremental', 'enqueue-associations']],
    ['no association refresh for a type that reads none', fresh, { readsAssociations: false }, ['incremental']],
    ['association refresh not due yet', fresh, { associationsRefreshMs: DAY }, ['incremental']],
    ['--refresh-associations forces it', fresh, { associationsRefreshMs: DAY, refreshAssociations: true }, ['incremental', 'enqueue-associations']],
    ['--include-archived adds the archived listing', fresh, { readsAssociations: false, includeArchived: true }, ['incremental', 'archived']],
    ['a sweep is due after HUBSPOT_DELETE_SWEEP_HOURS', { ...fresh, lastSweepAt: NOW - DAY }, { readsAssociations: false }, ['incremental', 'sweep']],
    ['--sweep-deletes forces it', fresh, { readsAssociations: false, sweepDeletes: true }, ['incremental', 'sweep']],
    ['a sweep under way is resumed', { ...fresh, sweep: { startedAt: 5 } }, { readsAssociations: false }, ['incremental', 'sweep']],
    [
      "a full pass's confirmation left by a killed run is the whole run",
      { ...fresh, confirm: { startedAt: 5, pass: 'full', archivedListed: false } },
      { fullRefresh: true },
      ['confirm'],
    ],
    [
      "a sweep's confirmation is finished first, and the sweep is not run again",
      { ...fresh, lastSweepAt: 0, confirm: { startedAt: 5, pass: 'sweep', archivedListed: false } },
      { readsAssociations: false, sweepDeletes: true },
      ['confirm', 'incremental'],
    ],
    [
      "a sweep's confirmation, then a full refresh",
      { ...fresh, confirm: { startedAt: 5, pass: 'sweep', archivedListed: false } },
      { fullRefresh: true },
      ['confirm', 'full'],
    ],
  ];
  it.each(table)('%s', (_name, cursor, options, expected) => {
    expect(planPasses(cursor, { ...base, ...options }, NOW)).toEqual(expected);
  });
});

describe('where a pass starts', () => {
  it("a new full pass starts now with the run's strategy", () => {
    expect(fullStart({}, 'by-ids', NOW)).toEqual({ startedAt: NOW, strategy: 'by-ids' });
  });
  it('a full pass resumes where it was with the same strategy (cursors from before strategies were inline)', () => {
    expect(fullStart({ full: { startedAt: 5, after: '900' } }, 'inline', NOW)).toEqual({ startedAt: 5, after: '900', strategy: 'inline' });
    expect(fullStart({ full: { startedAt: 5, after: '900', strategy: 'by-ids' } }, 'by-ids', NOW)).toEqual({ startedAt: 5, after: '900', strategy: 'by-ids' });
  });
  it("another strategy cannot read the live phase's position: the live phase starts over, the start time stays", () => {
    expect(fullStart({ full: { startedAt: 5, after: '900', strategy: 'inline' } }, 'by-ids', NOW)).toEqual({ startedAt: 5, strategy: 'by-ids' });
  });
  it('the archived phase is a list in both strategies: its position stands', () => {
    expect(fullStart({ full: { startedAt: 5, after: '77', archived: true, strategy: 'inline' } }, 'by-ids', NOW)).toEqual({
      startedAt: 5,
      after: '77',
      archived: true,
      strategy: 'by-ids',
    });
  });
  it('a sweep starts now or resumes', () => {
    expect(sweepStart({}, NOW)).toEqual({ startedAt: NOW });
    expect(sweepStart({ sweep: { startedAt: 3, after: '10' } }, NOW)).toEqual({ startedAt: 3, after: '10' });
  });
});

describe('the cursor a pass ends with', () => {
  const during: ObjectCursor = {
    full: { startedAt: 100_000 },
    sweep: { startedAt: 1 },
    confirm: { startedAt: 100_000, pass: 'full', archivedListed: false },
    lastSweepAt: 7,
    lastAssociationsAt: 7,
  };
  it('a full pass: incremental from its start minus the search lag; sweep and associations done at its start', () => {
    expect(afterFullPass(during, 100_000, 60_000, true)).toEqual({
      incremental: { ts: 40_000 },
      lastFullAt: 100_000,
      lastSweepAt: 100_000,
      lastAssociationsAt: 100_000,
    });
  });
  it('a full pass whose deletes were refused leaves the sweep due', () => {
    expect(afterFullPass(during, 100_000, 60_000, false)).toEqual({
      incremental: { ts: 40_000 },
      lastFullAt: 100_000,
      lastSweepAt: 7,
      lastAssociationsAt: 100_000,
    });
  });
  it('a sweep records when it started, unless its deletes were refused', () => {
    const sweeping: ObjectCursor = {
      incremental: { ts: 9 },
      sweep: { startedAt: 50 },
      confirm: { startedAt: 50, pass: 'sweep', archivedListed: true },
      lastSweepAt: 1,
    };
    expect(afterSweep(sweeping, 50, true)).toEqual({ incremental: { ts: 9 }, lastSweepAt: 50 });
    expect(afterSweep(sweeping, 50, false)).toEqual({ incremental: { ts: 9 }, lastSweepAt: 1 });
  });
});

describe('newAssociationTargets: pairs a type reads that its stored records were never queued for', () => {
  const table: [string, ObjectCursor, string[], string[]][] = [
    ['a cursor from before the field: every pair is new (one read of them all)', { incremental: { ts: 1 } }, ['contacts', 'deals'], ['contacts', 'deals']],
    ['nothing new', { associationTargets: ['contacts', 'deals'] }, ['contacts', 'deals'], []],
    ['a custom object added to the portal', { associationTargets: ['contacts', 'deals'] }, ['contacts', 'deals', 'projects'], ['projects']],
    ['a pair no longer read is no new pair', { associationTargets: ['contacts', 'projects'] }, ['contacts'], []],
    ['a type that reads none', { associationTargets: [] }, [], []],
  ];
  it.each(table)('%s', (_name, cursor, targets, expected) => {
    expect(newAssociationTargets(cursor, targets)).toEqual(expected);
  });

  it('the field survives a full pass and a sweep', () => {
    const cursor: ObjectCursor = { incremental: { ts: 1 }, associationTargets: ['contacts'] };
    expect(afterFullPass(cursor, NOW, 0, true).associationTargets).toEqual(['contacts']);
    expect(afterSweep(cursor, NOW, true).associationTargets).toEqual(['contacts']);
  });
});
