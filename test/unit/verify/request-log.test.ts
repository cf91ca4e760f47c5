import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OWN_SOURCE,
  parseRequestLog,
  parseRequestLogLine,
  readRequestLog,
  RequestLogLineError,
  requestLogFromEntries,
} from '../../../src/verify/request-log.js';
import type { RequestLogLine } from '../../../src/request-log-entry.js';

describe('parseRequestLogLine', () => {
  it('reads t, method, path, status and source and ignores extra fields', () => {
    const entry = parseRequestLogLine(
      '{"t":1700000000123,"method":"GET","path":"/crm/v3/objects/contacts","status":429,"window":191,"policy":"TEN_SECONDLY_ROLLING","source":"background"}',
      1,
    );
    expect(entry).toEqual({
      t: 1700000000123,
      method: 'GET',
      path: '/crm/v3/objects/contacts',
      status: 429,
      source: 'background',
    });
  });

  it('accepts a line with only t and a null status', () => {
    expect(parseRequestLogLine('{"t": 5.5, "status": null}', 1)).toEqual({ t: 5.5 });
  });

  it.each([
    ['{"t": 1', 'line 7: not valid JSON'],
    ['[1,2]', 'line 7: expected a JSON object, got [1,2]'],
    ['42', 'line 7: expected a JSON object, got 42'],
    ['{"method":"GET"}', 'line 7: "t" must be the arrival time in epoch ms, got nothing'],
    ['{"t":"2024-01-01"}', 'line 7: "t" must be the arrival time in epoch ms, got "2024-01-01"'],
    ['{"t":1,"status":"200"}', 'line 7: "status" must be an HTTP status code, got "200"'],
    ['{"t":1,"status":200.5}', 'line 7: "status" must be an HTTP status code, got 200.5'],
    ['{"t":1,"source":3}', 'line 7: "source" must be a string, got 3'],
  ])('rejects %s naming the line', (line, message) => {
    let caught: unknown;
    try {
      parseRequestLogLine(line, 7);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RequestLogLineError);
    expect((caught as RequestLogLineError).line).toBe(7);
    expect((caught as Error).message.startsWith(message)).toBe(true);
  });
});

describe('parseRequestLog', () => {
  it('skips blank lines but keeps counting them for line numbers', () => {
    expect(() => parseRequestLog('{"t":1}\n\n   \n{"t":\n')).toThrow(/^line 4: not valid JSON/);
  });

  it('keeps file order and maps lines without a source to "own"', () => {
    const log = parseRequestLog('{"t":30,"status":200}\n{"t":10,"status":429,"source":"background"}\n{"t":20}\n');
    expect(Array.from(log.times)).toEqual([30, 10, 20]);
    expect(Array.from(log.statuses)).toEqual([200, 429, 0]);
    expect(log.sourceNames[log.sourceIds[0]]).toBe(OWN_SOURCE);
    expect(log.sourceNames[log.sourceIds[1]]).toBe('background');
    expect(log.hasSourceField).toBe(true);
  });

  it('reports no source field when no line has one', () => {
    expect(parseRequestLog('{"t":1}\n{"t":2}').hasSourceField).toBe(false);
  });

  it('round-trips any entries through NDJSON, growing past its initial capacity', () => {
    const entry = fc.record(
      {
        t: fc.double({ min: 0, max: 4e12, noNaN: true, noDefaultInfinity: true }),
        status: fc.integer({ min: 100, max: 599 }),
        source: fc.constantFrom('background', 'own', 'other-app'),
        window: fc.nat(),
      },
      { requiredKeys: ['t'] },
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 3000 }), (entries) => {
        const log = parseRequestLog(entries.map((e) => JSON.stringify(e)).join('\n'));
        const expected = requestLogFromEntries(entries as RequestLogLine[]);
        expect(Array.from(log.times)).toEqual(entries.map((e) => e.t));
        expect(Array.from(log.statuses)).toEqual(entries.map((e) => e.status ?? 0));
        expect(Array.from(log.sourceIds).map((id) => log.sourceNames[id])).toEqual(entries.map((e) => e.source ?? OWN_SOURCE));
        expect(Array.from(expected.times)).toEqual(Array.from(log.times));
      }),
      { numRuns: 30 },
    );
  });
});

describe('readRequestLog', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'request-log-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams a file with CRLF line ends and no final newline', async () => {
    const file = path.join(dir, 'crlf.ndjson');
    await writeFile(file, '{"t":1,"status":200}\r\n{"t":2,"status":429}\r\n\r\n{"t":3}');
    const log = await readRequestLog(file);
    expect(Array.from(log.times)).toEqual([1, 2, 3]);
    expect(Array.from(log.statuses)).toEqual([200, 429, 0]);
  });

  it('rejects with the line number of the first bad line', async () => {
    const file = path.join(dir, 'bad.ndjson');
    await writeFile(file, '{"t":1}\n{"t":2}\nnot json\n{"t":4}\n');
    await expect(readRequestLog(file)).rejects.toMatchObject({ name: 'RequestLogLineError', line: 3 });
  });

  it('rejects with ENOENT for a missing file and EISDIR for a directory', async () => {
    await expect(readRequestLog(path.join(dir, 'missing.ndjson'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readRequestLog(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('reads an empty file as an empty log', async () => {
    const file = path.join(dir, 'empty.ndjson');
    await writeFile(file, '');
    expect((await readRequestLog(file)).times.length).toBe(0);
  });
});
