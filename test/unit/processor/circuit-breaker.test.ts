import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerTransition } from '../../../src/processor/circuit-breaker.js';
import { FakeClock } from '../../../src/clock.js';

function setup(threshold = 3, coolDownMs = 1000) {
  const clock = new FakeClock(10_000);
  const breaker = new CircuitBreaker('GET /x', { failureThreshold: threshold, coolDownMs, probePollMs: 50 });
  const transitions: BreakerTransition[] = [];
  breaker.onTransition((t) => transitions.push(t));
  return { clock, breaker, transitions };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and a success resets the count', () => {
    const { clock, breaker } = setup(3);
    breaker.onFailure(clock.now());
    breaker.onFailure(clock.now());
    breaker.onSuccess(clock.now());
    breaker.onFailure(clock.now());
    breaker.onFailure(clock.now());
    expect(breaker.state(clock.now())).toBe('closed');
    expect(breaker.admit(clock.now())).toEqual({ pass: true, probe: false });
  });

  it('closed → open → half-open → closed', async () => {
    const { clock, breaker, transitions } = setup(3, 1000);
    for (let i = 0; i < 3; i++) breaker.onFailure(clock.now());
    expect(breaker.state(clock.now())).toBe('open');
    expect(breaker.admit(clock.now())).toEqual({ pass: false, retryAt: 11_000 });
    await clock.advance(999);
    expect(breaker.state(clock.now())).toBe('open');
    await clock.advance(1);
    expect(breaker.state(clock.now())).toBe('half-open');
    expect(breaker.admit(clock.now())).toEqual({ pass: true, probe: true });
    // Only one probe at a time.
    expect(breaker.admit(clock.now())).toEqual({ pass: false, retryAt: 11_050 });
    breaker.onSuccess(clock.now());
    expect(breaker.state(clock.now())).toBe('closed');
    expect(transitions.map((t) => `${t.from}>${t.to}@${t.at}`)).toEqual(['closed>open@10000', 'open>half-open@11000', 'half-open>closed@11000']);
  });

  it('a failed probe opens it again for a fresh cool-down', async () => {
    const { clock, breaker, transitions } = setup(2, 500);
    breaker.onFailure(clock.now());
    breaker.onFailure(clock.now());
    await clock.advance(500);
    expect(breaker.admit(clock.now())).toEqual({ pass: true, probe: true });
    await clock.advance(20);
    breaker.onFailure(clock.now());
    expect(breaker.state(clock.now())).toBe('open');
    expect(breaker.admit(clock.now())).toEqual({ pass: false, retryAt: 11_020 });
    expect(transitions.map((t) => t.to)).toEqual(['open', 'half-open', 'open']);
  });

  it('a neutral outcome frees the probe slot without closing', async () => {
    const { clock, breaker } = setup(1, 100);
    breaker.onFailure(clock.now());
    await clock.advance(100);
    expect(breaker.admit(clock.now())).toMatchObject({ pass: true, probe: true });
    breaker.onNeutral();
    expect(breaker.state(clock.now())).toBe('half-open');
    expect(breaker.admit(clock.now())).toMatchObject({ pass: true, probe: true });
  });
});
