import { describe, expect, it } from 'vitest';
import { hasPipelines } from '../../../extractors/metadata/portal-metadata.js';
import { historyRows } from '../../../extractors/metadata/property-history.js';

describe('which types have pipelines, from their definitions', () => {
  const table: [string, string[], boolean][] = [
    ['deals (dealstage)', ['dealname', 'pipeline', 'dealstage'], true],
    ['tickets (hs_pipeline_stage)', ['subject', 'hs_pipeline', 'hs_pipeline_stage'], true],
    ['contacts (an hs_pipeline for lifecycle pipelines, no stage property)', ['email', 'hs_pipeline', 'lifecyclestage'], false],
    ['calls (neither)', ['hs_call_title'], false],
    ['an empty catalog', [], false],
  ];
  it.each(table)('%s', (_name, names, expected) => {
    expect(hasPipelines(names.map((name) => ({ name })))).toBe(expected);
  });
});

describe('property history as rows', () => {
  it('one row per change, every property of every record, fields as sent (a cleared value is "")', () => {
    expect(
      historyRows([
        {
          id: '1',
          history: {
            dealstage: [
              { value: 'closedwon', timestamp: '2025-02-01T00:00:00.000Z', sourceType: 'CRM_UI', sourceId: 'userId:7', updatedByUserId: '7' },
              { value: 'appointmentscheduled', timestamp: '2025-01-01T00:00:00.000Z', sourceType: 'IMPORT' },
            ],
            amount: [{ value: '', timestamp: '2025-01-02T00:00:00.000Z', sourceType: 'API' }],
          },
        },
        { id: '2', history: { dealstage: [] } },
      ]),
    ).toEqual([
      {
        objectId: '1',
        property: 'dealstage',
        value: 'closedwon',
        changedAt: '2025-02-01T00:00:00.000Z',
        sourceType: 'CRM_UI',
        sourceId: 'userId:7',
        updatedByUserId: '7',
      },
      {
        objectId: '1',
        property: 'dealstage',
        value: 'appointmentscheduled',
        changedAt: '2025-01-01T00:00:00.000Z',
        sourceType: 'IMPORT',
        sourceId: undefined,
        updatedByUserId: undefined,
      },
      {
        objectId: '1',
        property: 'amount',
        value: '',
        changedAt: '2025-01-02T00:00:00.000Z',
        sourceType: 'API',
        sourceId: undefined,
        updatedByUserId: undefined,
      },
    ]);
  });
});
