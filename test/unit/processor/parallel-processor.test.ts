import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock, systemClock } from '../../../src/clock.js';
import { FatalRunError, SkippedItemError } from '../../../src/processor/errors.js';
import { EngineEvents, type EngineEvent } from '../../../src/processor/events.js';
import { ParallelProcessor, type ProcessorOptions } from '../../../src/processor/parallel-processor.js';
import { LatencyEstimator } from '../../../src/processor/pool-size.js';
import { currentTask } from '../../../src/processor/task-context.js';

function make(overrides: Partial<ProcessorOptions> = {}) {
  const events = new EngineEvents();
  const seen: EngineEvent[] = [];
  events.on((e) => seen.push(e));
  const latency = new LatencyEstimator({ initialMs: 400, minSamples: 1 });
  const processor = new ParallelProcessor({
    clock: systemClock,
    events,
    ratePerSecond: 10,
    latency,
    maxConcurrency: 16,
    headroom: 1,
    progressIntervalMs: 0,
    ...overrides,
  });
  return { processor, events, seen, latency };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('ParallelProcessor', () => {
  it("sizes the pool by Little's law and re-sizes as latency changes", () => {
    const { processor, latency, seen } = make();
    // 10/s x 0.4 s = 4
    expect(processor.concurrency).toBe(4);
    for (let i = 0; i < 20; i++) latency.record(1200);
    expect(processor.resize()).toBe(12);
    expect(seen.find((e) => e.type === 'pool-resize')).toMatchObject({ size: 12 });
    for (let i = 0; i < 400; i++) latency.record(5000);
    expect(processor.resize()).toBe(16);
  });

  it('property: every item is processed exactly once; skips and failures are recorded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('ok', 'skip', 'fail'), { maxLength: 60 }), async (kinds) => {
        const { processor } = make();
        const calls = new Map<number, number>();
        const result = await processor.processBatch(
          kinds,
          async (kind, index) => {
            calls.set(index, (calls.get(index) ?? 0) + 1);
            await tick();
            if (kind === 'skip') throw new SkippedItemError(404, 'gone', 'GET /x');
            if (kind === 'fail') throw new Error('boom');
            return index * 2;
          },
          { desc: 'p' },
        );
        expect([...calls.keys()].sort((a, b) => a - b)).toEqual(kinds.map((_, i) => i));
        expect([...calls.values()].every((c) => c === 1)).toBe(true);
        expect(result.processed).toBe(kinds.filter((k) => k === 'ok').length);
        const indicesOf = (kind: string) => kinds.flatMap((k, i) => (k === kind ? [i] : []));
        expect(result.skipped.map((s) => s.index).sort((a, b) => a - b)).toEqual(indicesOf('skip'));
        expect(result.failed.map((f) => f.index).sort((a, b) => a - b)).toEqual(indicesOf('fail'));
        expect(result.skipped.every((s) => s.status === 404 && s.reason === 'gone')).toBe(true);
        kinds.forEach((k, i) => expect(result.results[i]).toBe(k === 'ok' ? i * 2 : undefined));
      }),
      { numRuns: 40 },
    );
  });

  it('never runs more items at once than the pool allows', async () => {
    const { processor } = make();
    let active = 0;
    let peak = 0;
    await processor.processBatch(
      Array.from({ length: 50 }, (_, i) => i),
      async () => {
        peak = Math.max(peak, ++active);
        await tick();
        active--;
      },
      { desc: 'c' },
    );
    expect(peak).toBe(processor.concurrency);
  });

  it('streams with backpressure: never pulls more than pool size + lookahead ahead of finished items', async () => {
    const { processor } = make({ streamLookahead: 2 });
    let pulled = 0;
    let finished = 0;
    let maxAhead = 0;
    async function* source() {
      for (let i = 0; i < 200; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - finished);
        yield i;
      }
    }
    const summary = await processor.processStream(
      source(),
      async () => {
        await tick();
        finished++;
      },
      { desc: 's' },
    );
    expect(summary.processed).toBe(200);
    expect(maxAhead).toBeLessThanOrEqual(processor.concurrency + 2);
  });

  it('a fatal error stops new items, lets running ones finish, and rejects with it', async () => {
    const { processor, seen } = make();
    const started: number[] = [];
    const fatal = new FatalRunError('token expired', 'auth', 401);
    const err = await processor
      .processBatch(
        Array.from({ length: 100 }, (_, i) => i),
        async (i) => {
          started.push(i);
          await tick();
          if (i === 5) throw fatal;
        },
        { desc: 'f' },
      )
      .catch((e) => e);
    expect(err).toBe(fatal);
    expect(started.length).toBeLessThan(100);
    expect(seen.find((e) => e.type === 'task-end')).toMatchObject({ desc: 'f', error: 'token expired' });
  });

  it('carries the task name to code the items call, and nested tasks do not deadlock', async () => {
    const { processor } = make({ maxConcurrency: 1 });
    const descs: string[] = [];
    await processor.processBatch(
      [1, 2],
      async () => {
        descs.push(currentTask()!.desc);
        await processor.processBatch(
          [1, 2, 3],
          async () => {
            descs.push(currentTask()!.desc);
          },
          { desc: 'inner' },
        );
      },
      { desc: 'outer' },
    );
    expect(descs.filter((d) => d === 'outer')).toHaveLength(2);
    expect(descs.filter((d) => d === 'inner')).toHaveLength(6);
  });

  it('emits task-start, progress with rate and waiting state, and task-end', async () => {
    const clock = new FakeClock(0);
    const { processor, seen, events } = make({ clock });
    const run = processor.processBatch(
      [1, 2, 3],
      async (i) => {
        if (i === 2) {
          events.emit({ type: 'rate-limit-wait', t: clock.now(), limiter: 'w', desc: 'contacts' });
          await clock.sleep(1000);
          events.emit({ type: 'rate-limit-ready', t: clock.now(), limiter: 'w', waitedMs: 1000, desc: 'contacts' });
        }
      },
      { desc: 'contacts' },
    );
    let done = false;
    void run.finally(() => (done = true));
    while (!done) if (!(await clock.tick())) await tick();
    await run;
    const types = seen.filter((e) => 'desc' in e && e.desc === 'contacts').map((e) => e.type);
    expect(types[0]).toBe('task-start');
    expect(types.at(-1)).toBe('task-end');
    const progress = seen.filter((e): e is Extract<EngineEvent, { type: 'task-progress' }> => e.type === 'task-progress');
    expect(progress.some((p) => p.waitingForRateLimit)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 3, processed: 3, total: 3, waitingForRateLimit: false });
    expect(progress.at(-1)!.ratePerSecond).toBe(3);
  });

  it('startTask reports a sequential loop with the same events and attributes its requests', async () => {
    const { processor, seen } = make();
    const task = processor.startTask('contacts', { total: 250 });
    const descs: (string | undefined)[] = [];
    for (let page = 0; page < 3; page++) {
      await task.run(async () => descs.push(currentTask()?.desc));
      task.add(page < 2 ? 100 : 50);
    }
    task.end();
    expect(descs).toEqual(['contacts', 'contacts', 'contacts']);
    const last = seen.filter((e) => e.type === 'task-progress').at(-1);
    expect(last).toMatchObject({ desc: 'contacts', done: 250, processed: 250, total: 250 });
    expect(seen.at(-1)).toMatchObject({ type: 'task-end', desc: 'contacts', processed: 250, total: 250 });
  });
});
