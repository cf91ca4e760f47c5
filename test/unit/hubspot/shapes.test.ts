import { describe, expect, it } from 'vitest';
import { checkShape, shapeProblem, type ShapeKind } from '../../../src/hubspot/shapes.js';
import { MalformedResponseError } from '../../../src/processor/errors.js';

/** Replies that are not data, as an edge, a proxy or a bad deploy sends them, per kind of endpoint. */
const NOT_DATA: [string, unknown][] = [
  ['{}', {}],
  ['an HTML page read as a string', '<html><body>Checking your browser</body></html>'],
  ['null', null],
  ['an array', []],
  ['results as a string', { results: 'x' }],
  ['results with an item that is not an object', { results: [1], total: 1 }],
];

const GOOD: Record<ShapeKind, unknown> = {
  list: { results: [{ id: '1', properties: {} }], paging: { next: { after: '2' } } },
  search: { total: 0, results: [] },
  'batch-read': { status: 'COMPLETE', results: [{ id: 1, properties: { a: null } }], errors: [] },
  'association-batch': {
    results: [
      { from: { id: '1' }, to: [] },
      { _from: { id: 2 }, to: [] },
    ],
  },
  properties: { results: [{ name: 'email', type: 'string' }] },
  forms: { results: [{ id: 'guid', name: 'x' }] },
  submissions: { results: [{ values: [] }] },
  schemas: {
    results: [
      { id: '3589506', objectTypeId: '2-3589506', name: 'projects', associations: [{ id: '1700', fromObjectTypeId: '2-3589506', toObjectTypeId: '0-1' }] },
    ],
  },
  owners: { results: [{ id: '310042110', email: 'a@example.com', archived: false }], paging: { next: { after: 'bzoz' } } },
  pipelines: { results: [{ id: 'default', label: 'Sales Pipeline', stages: [{ id: 'closedwon', label: 'Won' }] }] },
  'history-batch': { results: [{ id: '1', properties: {}, propertiesWithHistory: { dealstage: [{ value: 'a', timestamp: '2025-01-01T00:00:00Z' }] } }] },
};

describe('shape checks', () => {
  const kinds = Object.keys(GOOD) as ShapeKind[];
  it.each(kinds)('%s: the endpoint shape passes', (kind) => {
    expect(shapeProblem(kind, GOOD[kind])).toBeUndefined();
  });

  for (const kind of kinds) {
    it.each(NOT_DATA)(`${kind}: %s is not data`, (_name, body) => {
      expect(() => checkShape(kind, 'GET /x', body)).toThrow(MalformedResponseError);
    });
  }

  const specific: [string, ShapeKind, unknown, RegExp][] = [
    ['a list record without an id (the typed client turns results: "x" into [{}])', 'list', { results: [{}] }, /has no id/],
    ['an empty-string id', 'batch-read', { results: [{ id: '' }] }, /has no id/],
    ['a search without total', 'search', { results: [] }, /no numeric total/],
    ['paging.next.after that is an object', 'list', { results: [], paging: { next: { after: {} } } }, /paging.next.after/],
    ['errors that are not an array', 'batch-read', { results: [], errors: 'x' }, /errors is/],
    ['an association result without from', 'association-batch', { results: [{ to: [] }] }, /no from.id/],
    ['an association result without to', 'association-batch', { results: [{ from: { id: '1' } }] }, /no to array/],
    ['a property without a name', 'properties', { results: [{ label: 'x' }] }, /property with a name/],
    ['a form without an id', 'forms', { results: [{ name: 'x' }] }, /form with an id/],
    ['a schema without an objectTypeId', 'schemas', { results: [{ name: 'projects' }] }, /objectTypeId/],
    ['a schema without a name', 'schemas', { results: [{ objectTypeId: '2-1' }] }, /with a name/],
    ['a schema whose associations are not an array', 'schemas', { results: [{ objectTypeId: '2-1', name: 'p', associations: {} }] }, /not an array/],
    [
      'a schema association without its type ids',
      'schemas',
      { results: [{ objectTypeId: '2-1', name: 'p', associations: [{ id: '1' }] }] },
      /fromObjectTypeId/,
    ],
    ['an owner without an id', 'owners', { results: [{ email: 'a@example.com' }] }, /owner with an id/],
    ['a pipeline without stages', 'pipelines', { results: [{ id: 'default', label: 'x' }] }, /no stages array/],
    ['a stage without an id', 'pipelines', { results: [{ id: 'default', stages: [{ label: 'x' }] }] }, /stages\[0\] is not a stage/],
    [
      'a history that is not an array',
      'history-batch',
      { results: [{ id: '1', propertiesWithHistory: { a: 'x' } }] },
      /propertiesWithHistory.a .* not an array/,
    ],
    ['a change without a timestamp', 'history-batch', { results: [{ id: '1', propertiesWithHistory: { a: [{ value: 'x' }] } }] }, /without a timestamp/],
  ];
  it.each(specific)('%s', (_name, kind, body, message) => {
    expect(shapeProblem(kind, body)).toMatch(message);
  });

  it('an empty page is data: an empty table, the last page of a list', () => {
    expect(shapeProblem('list', { results: [] })).toBeUndefined();
    expect(shapeProblem('search', { total: 0, results: [], paging: null })).toBeUndefined();
  });
});
