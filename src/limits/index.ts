/** The limits engine's public surface, for callers outside src/limits. */
export { systemClock, FakeClock, seededRandom, systemRandom, flushMicrotasks, type Clock, type Random } from '../clock.js';
export type {
  AcquireOptions,
  AdjustableLimiter,
  Limiter,
  LimiterEvent,
  LimiterStats,
  ManagedLimiter,
  Release,
  WaitTimePercentiles,
} from './types.js';
export {
  InvalidLimitNameError,
  LimitCapacityError,
  LimitConfigurationError,
  LimitTimeoutError,
  UnknownLimitError,
  validateLimitName,
} from './errors.js';
export { QueuedLimiter } from './queued-limiter.js';
export { RollingWindowLimiter, type RollingWindowOptions, type RollingWindowStats } from './rolling-window.js';
export { TokenBucketLimiter, type TokenBucketOptions } from './token-bucket.js';
export { Semaphore, type SemaphoreOptions } from './semaphore.js';
export { DecayingRateLimiter, type DecayingRateLimitOptions } from './decaying-rate-limit.js';
export { CompositeLimiter, type CompositeRelease, type CompositeStats } from './composite.js';
export { LimitRegistry, type LimitRegistryOptions, type LimitSpec } from './named-limits.js';
export type { LimitDefinition, LimitStore, SlotMode } from './limit-store.js';
export { MemoryLimitStore } from './memory-limit-store.js';
