/**
 * Pagination that does not advance: a page whose next cursor was already seen in this pass. HubSpot (or a
 * proxy) answering the same `after` again would otherwise loop for ever; the pass fails instead, and the
 * run exits 1 with this line (what was committed stays committed).
 */
export class PaginationLoopError extends Error {
  readonly code = 'PAGINATION_LOOP';
  constructor(
    readonly stream: string,
    readonly position: string,
  ) {
    super(
      `${stream}: pagination repeated cursor ${position}; stopped instead of looping (the API returned a page cursor it had already returned in this pass)`,
    );
    this.name = 'PaginationLoopError';
  }
}

/** The set of positions seen, plus `position`; or a PaginationLoopError when it was seen already. */
export function guardPosition(seen: ReadonlySet<string>, position: string, stream: string): ReadonlySet<string> | PaginationLoopError {
  if (seen.has(position)) return new PaginationLoopError(stream, position);
  const next = new Set(seen);
  next.add(position);
  return next;
}
