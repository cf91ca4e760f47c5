import { describe, expect, it } from 'vitest';
import type { RequestLogLine } from '../../../src/request-log-entry.js';
import { requestLogFromEntries } from '../../../src/verify/request-log.js';
import { analyseRequestLog } from '../../../src/verify/rolling-window-report.js';
import { formatReport } from '../../../src/verify/report-text.js';

const T0 = 1_700_000_000_000;

function textFor(entries: RequestLogLine[], limit: number) {
  const { report } = analyseRequestLog(requestLogFromEntries(entries), { limit, windowMs: 1_000 });
  return formatReport(report, { origin: 'run.ndjson', limitSource: '--limit' }).split('\n');
}

describe('formatReport', () => {
  it('names the verdict, the max, the first violating window and the 429s', () => {
    const lines = textFor(
      [
        { t: T0, status: 200 },
        { t: T0 + 250, status: 200 },
        { t: T0 + 500, status: 429, source: 'background' },
      ],
      2,
    );
    expect(lines[0]).toBe('rate-limit verification: FAIL');
    expect(lines).toContain('  source          run.ndjson (3 requests)');
    expect(lines.find((l) => l.includes('max in window'))).toContain('3 (150.0% of the limit)');
    const violations = lines.find((l) => l.includes('violations'))!;
    expect(violations).toContain('1 requests arrived over the limit; first: 3 requests in the window ending +0.500 s');
    expect(violations).toContain(`end t=${T0 + 500}, 2023-11-14T22:13:20.500Z`);
    expect(lines.find((l) => l.includes('429s'))).toContain('1 (background: 1)');
    expect(lines.find((l) => l.includes('throughput'))).toContain('4.00 req/s over 0.500 s');
    expect(lines.filter((l) => /^\s+(by source)?\s+(own|background)\s/.test(l))).toHaveLength(2);
  });

  it('says PASS with zero violations and no per-source rows when no line has a source', () => {
    const lines = textFor([{ t: T0 }, { t: T0 + 2_000 }], 1);
    expect(lines[0]).toBe('rate-limit verification: PASS');
    expect(lines).toContain('  violations      0');
    expect(lines.some((l) => l.includes('by source'))).toBe(false);
  });

  it('describes an empty log', () => {
    const lines = textFor([], 5);
    expect(lines).toContain('  max in window   0 (the log holds no requests)');
    expect(lines.find((l) => l.includes('throughput'))).toContain('n/a');
  });

  it('adds a search row and says how many requests were search', () => {
    const lines = textFor(
      [{ t: T0, path: '/crm/v3/objects/contacts' }, ...[0, 1, 2].map((i) => ({ t: T0 + i * 100, path: '/crm/v3/objects/contacts/search', status: 200 }))],
      10,
    );
    expect(lines).toContain('  source          run.ndjson (4 requests, 3 of them search)');
    expect(lines.find((l) => l.startsWith('  search'))).toBe(
      '  search          3 requests (exempt from the burst window), max 3 of 5 per 1000 ms (60.0%), 0 over the limit, 0 429s',
    );
  });
});
