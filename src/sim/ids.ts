/**
 * HubSpot ids are int64 and some exceed 2^53, so they stay decimal strings (BigInt while being generated).
 * Ordering compares them numerically without converting to a JS number.
 */

export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isIdString(value: string): boolean {
  return /^(0|[1-9][0-9]{0,18})$/.test(value);
}

/** Index of the first element of `sorted` that is >= `id` (binary search). */
export function lowerBoundId<T>(sorted: readonly T[], id: string, idOf: (item: T) => string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareIds(idOf(sorted[mid]), id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `id` into an ascending id list unless present; returns whether it was added. */
export function insertSortedId(sorted: string[], id: string): boolean {
  const at = lowerBoundId(sorted, id, (x) => x);
  if (sorted[at] === id) return false;
  sorted.splice(at, 0, id);
  return true;
}

export function removeSortedId(sorted: string[], id: string): boolean {
  const at = lowerBoundId(sorted, id, (x) => x);
  if (sorted[at] !== id) return false;
  sorted.splice(at, 1);
  return true;
}

/** A 32-bit mix of integers and strings, used to derive independent PRNG seeds. */
export function hashSeed(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A version-4-shaped UUID drawn from a seeded generator (HubSpot form ids and conversion ids look like this). */
export function seededUuid(random: () => number): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
