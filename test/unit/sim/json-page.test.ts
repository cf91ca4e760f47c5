import { describe, expect, it } from 'vitest';
import { json, jsonPage, JsonText, jsonText } from '../../../src/sim/error-bodies.js';

/** The bytes `json` sends for the same value: what a page encoded record by record must equal. */
const whole = (value: Record<string, unknown>) => Buffer.from(json(200, value).body as string, 'utf8');

describe('jsonPage', () => {
  it('sends exactly the bytes of the whole JSON text, record by record', () => {
    const records = [
      { id: '9007199254740993', properties: { name: 'Zoë 👍🏽 東京', empty: null, nul: 'a\u0000b', quote: '"\\\n' }, archived: false },
      { id: '2', properties: { long: 'x'.repeat(70_000), latin: 'Müller' }, createdAt: undefined, archived: true },
    ];
    const cases: Array<Record<string, unknown>> = [
      { results: records, paging: { next: { after: '3', link: 'http://127.0.0.1/x?after=3' } } },
      { status: 'COMPLETE', results: records, startedAt: '2025-01-01T00:00:00.000Z', numErrors: 1, errors: [{ context: { ids: ['1'] } }] },
      { total: 0, results: [] },
      { results: [undefined, () => 1, null, 'text'], skipped: undefined, fn: () => 1 },
      {},
    ];
    for (const value of cases) {
      const reply = jsonPage(207, value);
      expect(reply.status).toBe(207);
      expect(reply.contentType).toBe(json(200, value).contentType);
      expect(Buffer.isBuffer(reply.body)).toBe(true);
      expect((reply.body as Buffer).equals(whole(value))).toBe(true);
    }
  });

  it('writes records already serialized (JsonText) as they are', () => {
    const records = [
      { id: '1', properties: { name: 'Łukasz 🚀', n: null } },
      { id: '2', properties: {} },
    ];
    const reply = jsonPage(200, { results: records.map((r) => new JsonText(JSON.stringify(r))), paging: { next: { after: '3' } } });
    expect((reply.body as Buffer).equals(whole({ results: records, paging: { next: { after: '3' } } }))).toBe(true);
    expect(jsonText(200, new JsonText(JSON.stringify(records[0]))).body).toBe(JSON.stringify(records[0]));
  });
});
