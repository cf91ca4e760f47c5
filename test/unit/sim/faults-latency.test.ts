import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/clock.js';
import { FaultInjector, serverErrorReply, truncateBody } from '../../../src/sim/faults.js';
import { sampleLatency } from '../../../src/sim/latency.js';
import { ZERO_FAULTS } from '../../../src/sim/options.js';

describe('FaultInjector', () => {
  it('replays the same faults for the same seed', () => {
    const rates = { ...ZERO_FAULTS, serverError: 0.1, timeout: 0.05, reset: 0.05, malformed: 0.05, burst429: 0.02, locked: 0.02 };
    const run = (seed: number) => {
      const injector = new FaultInjector(seededRandom(seed));
      return Array.from({ length: 500 }, () => JSON.stringify(injector.next(rates) ?? null));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('injects nothing when every rate is zero', () => {
    const injector = new FaultInjector(seededRandom(1));
    expect(Array.from({ length: 1000 }, () => injector.next(ZERO_FAULTS)).filter(Boolean)).toHaveLength(0);
  });

  it('turns one 429 draw into a burst of the configured length', () => {
    const injector = new FaultInjector(seededRandom(3));
    const rates = { ...ZERO_FAULTS, burst429: 1, burst429Length: 4 };
    const first = injector.next(rates);
    const quiet = { ...ZERO_FAULTS, burst429Length: 4 };
    const rest = Array.from({ length: 5 }, () => injector.next(quiet)?.kind ?? 'none');
    expect(first?.kind).toBe('burst-429');
    expect(rest).toEqual(['burst-429', 'burst-429', 'burst-429', 'none', 'none']);
  });

  it('draws 200 edge pages, both the challenge and the maintenance page', () => {
    const injector = new FaultInjector(seededRandom(5));
    const pages = new Set(
      Array.from({ length: 40 }, () => {
        const fault = injector.next({ ...ZERO_FAULTS, edgePage200: 1 });
        return fault?.kind === 'edge-page-200' ? fault.page : 'none';
      }),
    );
    expect([...pages].sort()).toEqual(['challenge', 'maintenance']);
  });

  it('sends JSON, HTML, nothing and HTML for 500, 502, 503 and 504', () => {
    expect(serverErrorReply(500, 'c').contentType).toContain('application/json');
    expect(serverErrorReply(502, 'c').contentType).toBe('text/html');
    expect(serverErrorReply(503, 'c')).toEqual({});
    expect(serverErrorReply(504, 'c').body).toContain('<html>');
  });

  it('truncated bodies never parse as JSON (property)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => typeof v === 'object' && v !== null),
        (value) => {
          const text = JSON.stringify(value);
          fc.pre(text.length > 2);
          expect(() => JSON.parse(truncateBody(text))).toThrow();
        },
      ),
    );
  });
});

describe('sampleLatency', () => {
  it('is zero when the median is zero', () => {
    expect(sampleLatency(seededRandom(1), 0, 100)).toBe(0);
  });

  it('has about the requested median and 99th percentile', () => {
    const random = seededRandom(11);
    const samples = Array.from({ length: 20_000 }, () => sampleLatency(random, 50, 500)).sort((a, b) => a - b);
    const median = samples[samples.length / 2];
    const p99 = samples[Math.floor(samples.length * 0.99)];
    expect(median).toBeGreaterThan(45);
    expect(median).toBeLessThan(55);
    expect(p99).toBeGreaterThan(400);
    expect(p99).toBeLessThan(620);
  });
});
