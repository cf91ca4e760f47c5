import type { Random } from '../clock.js';

/**
 * Response latency: lognormal with the given median and 99th percentile, so most replies are quick and a few
 * are very slow (the long tail real APIs show). Drawn from a seeded generator so runs replay.
 */

const Z_99 = 2.3263478740408408;

export function sampleLatency(random: Random, medianMs: number, p99Ms: number): number {
  if (medianMs <= 0) return 0;
  const sigma = p99Ms > medianMs ? Math.log(p99Ms / medianMs) / Z_99 : 0;
  // Box–Muller; 1 - u keeps the logarithm finite.
  const u1 = 1 - random();
  const u2 = random();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.max(0, Math.round(medianMs * Math.exp(sigma * z)));
}
