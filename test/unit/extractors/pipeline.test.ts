import { describe, expect, it } from 'vitest';
import { addComplete, addIds, emptyPipeline, hasRoom, PIPELINE_PAGES_AHEAD, readDone, type Pipeline } from '../../../extractors/passes/pipeline.js';

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));

describe('the ordered page pipeline', () => {
  it('a complete page is staged at once, with its cursor', () => {
    const step = addComplete(emptyPipeline<string, string>(), ['a', 'b'], 'c1', false, false);
    expect(step.effects).toEqual([{ kind: 'stage', items: ['a', 'b'], archived: false, cursor: 'c1' }]);
    expect(step.pipeline.pending).toEqual([]);
    expect(step.ended).toBe(false);
  });

  it('a page of 200 ids becomes two batch reads of 100 (duplicates read once)', () => {
    const step = addIds(emptyPipeline<string, string>(), [...ids(1, 200), '5'], 'c1', false, true);
    expect(step.effects).toEqual([
      { kind: 'read', seq: 0, ids: ids(1, 100), archived: true },
      { kind: 'read', seq: 0, ids: ids(101, 100), archived: true },
    ]);
    expect(step.pipeline.pending).toHaveLength(1);
  });

  it('pages are staged in order: a later page whose reads finish first waits for the earlier one', () => {
    let p: Pipeline<string, string> = emptyPipeline();
    p = addIds(p, ids(1, 100), 'after-page-0', false, false).pipeline;
    p = addIds(p, ids(101, 100), 'after-page-1', true, false).pipeline;
    const late = readDone(p, 1, ['r101']);
    expect(late.effects).toEqual([]);
    const early = readDone(late.pipeline, 0, ['r1']);
    expect(early.effects).toEqual([
      { kind: 'stage', items: ['r1'], archived: false, cursor: 'after-page-0' },
      { kind: 'stage', items: ['r101'], archived: false, cursor: 'after-page-1' },
    ]);
    expect(early.ended).toBe(true);
    expect(early.pipeline.pending).toEqual([]);
  });

  it('a page is complete only when all its reads are back; records missing from a read are simply absent', () => {
    let p = addIds(emptyPipeline<string, string>(), ids(1, 150), 'c', false, false).pipeline;
    const first = readDone(p, 0, ['r1', 'r2']);
    expect(first.effects).toEqual([]);
    p = first.pipeline;
    expect(readDone(p, 0, ['r150']).effects).toEqual([{ kind: 'stage', items: ['r1', 'r2', 'r150'], archived: false, cursor: 'c' }]);
  });

  it('an empty id page (the end of a keyset) is complete at once', () => {
    const step = addIds(emptyPipeline<string, string>(), [], 'end', true, false);
    expect(step.effects).toEqual([{ kind: 'stage', items: [], archived: false, cursor: 'end' }]);
    expect(step.ended).toBe(true);
  });

  it('has room for PIPELINE_PAGES_AHEAD incomplete pages', () => {
    let p: Pipeline<string, string> = emptyPipeline();
    for (let i = 0; i < PIPELINE_PAGES_AHEAD; i++) {
      expect(hasRoom(p)).toBe(true);
      p = addIds(p, ids(i * 100, 100), `c${i}`, false, false).pipeline;
    }
    expect(hasRoom(p)).toBe(false);
  });

  it('a read for a page that is not pending is a bug, said so', () => {
    expect(() => readDone(emptyPipeline(), 3, [])).toThrow(/not pending/);
  });
});
