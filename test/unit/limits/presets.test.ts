import { describe, expect, it } from 'vitest';
import { HUBSPOT_TIERS } from '../../../config/hubspot-limits.js';
import { applySafetyMargin, buildPresetLimiter, hubspotTierPreset, PRESETS } from '../../../src/limits/library/presets.js';
import { FakeClock } from '../../../src/clock.js';
import { effectiveWindowLimit } from '../../../config/settings.js';

describe('presets', () => {
  it('HubSpot tiers carry the documented burst and daily limits', () => {
    const table = Object.fromEntries(HUBSPOT_TIERS.map((tier) => [tier, hubspotTierPreset(tier).windows.map((w) => [w.limit, w.windowMs])]));
    expect(table).toEqual({
      free: [
        [100, 10_000],
        [250_000, 86_400_000],
      ],
      starter: [
        [100, 10_000],
        [250_000, 86_400_000],
      ],
      professional: [
        [190, 10_000],
        [625_000, 86_400_000],
      ],
      enterprise: [
        [190, 10_000],
        [1_000_000, 86_400_000],
      ],
      'api-addon': [
        [250, 10_000],
        [1_000_000, 86_400_000],
      ],
    });
    expect(PRESETS['hubspot-search'].windows).toEqual([{ limit: 5, windowMs: 1000, label: 'secondly' }]);
  });

  it('every preset has at least one window and a positive concurrency', () => {
    for (const preset of Object.values(PRESETS)) {
      expect(preset.windows.length).toBeGreaterThan(0);
      expect(preset.concurrency).toBeGreaterThan(0);
      for (const w of preset.windows) expect(w.limit > 0 && w.windowMs > 0).toBe(true);
    }
    expect(PRESETS['discord-webhook'].windows[0]).toMatchObject({ limit: 30, windowMs: 60_000 });
    expect(PRESETS['facebook-ads'].windows[0]).toMatchObject({ limit: 200, windowMs: 3_600_000 });
  });

  it('applySafetyMargin uses that fraction of each window, as HUBSPOT_SAFETY_MARGIN does, floored, never below 1', () => {
    const pro = applySafetyMargin(hubspotTierPreset('professional'), 0.95);
    expect(pro.windows.map((w) => w.limit)).toEqual([180, 593_750]);
    // The same number the run's own window gets from the settings.
    expect(pro.windows[0].limit).toBe(effectiveWindowLimit({ maxRequestsPer10s: 190, safetyMargin: 0.95 }));
    expect(applySafetyMargin(pro, 1).windows).toEqual(pro.windows);
    expect(applySafetyMargin(PRESETS.notion, 0.1).windows[0].limit).toBe(1);
    expect(() => applySafetyMargin(PRESETS.notion, 0)).toThrow(RangeError);
    expect(() => applySafetyMargin(PRESETS.notion, 1.5)).toThrow(RangeError);
  });

  it('buildPresetLimiter enforces every window and the concurrency together', async () => {
    const clock = new FakeClock(0);
    const { limiter, windows, concurrency, pacing } = buildPresetLimiter(hubspotTierPreset('free'), clock, {
      concurrency: 200,
      smoothing: false,
    });
    expect(pacing).toBeUndefined();
    expect(windows.map((w) => w.name)).toEqual(['hubspot-free:ten-secondly', 'hubspot-free:daily']);
    expect(concurrency.limit).toBe(200);
    for (let i = 0; i < 100; i++) (await limiter.acquire())();
    expect(limiter.readyAt(1)).toBe(10_000);
    expect(windows[1].inUse()).toBe(100);
  });

  it('paces the shortest window by default: a burst of 10% of it, then its average rate', async () => {
    const clock = new FakeClock(0);
    const { limiter, pacing } = buildPresetLimiter(hubspotTierPreset('professional'), clock, { concurrency: 1000 });
    expect(pacing).toMatchObject({ limit: 19, refillPerSecond: 19 });
    const grantedAt: number[] = [];
    const all = Array.from({ length: 200 }, () =>
      limiter.acquire().then((release) => {
        grantedAt.push(clock.now());
        release();
      }),
    );
    while (await clock.tick());
    await Promise.all(all);
    expect(grantedAt.filter((t) => t === 0)).toHaveLength(19);
    // 19 at once, then one every 1000/19 ms, until the window's 190 are used; the rest wait for the window.
    expect(grantedAt.filter((t) => t < 10_000)).toHaveLength(190);
    expect(Math.max(...grantedAt)).toBeGreaterThanOrEqual(10_000);
  });
});
