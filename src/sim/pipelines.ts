import type { Random } from '../clock.js';
import type { ObjectType } from './schema.js';

/**
 * Pipelines and their stages (`GET /crm/v3/pipelines/{objectType}`, contract §6.4): deals have the default Sales
 * Pipeline, a second pipeline that shares the closed stages' ids with it (HubSpot allows a stage id in several
 * pipelines) and an archived pipeline some old deals still sit in; tickets the default Support Pipeline; leads
 * the lead pipeline; custom objects one pipeline each. The default pipelines carry `createdAt` 0, as the spec says
 * HubSpot's do. Stage metadata are strings, as HubSpot sends them (the spec types them `string`): deals
 * `probability` and `isClosed`, tickets `ticketState` (OPEN/CLOSED).
 *
 * Records point at pipelines and stages consistently (`property-values.ts`): a record's value is drawn from the
 * pipelines and stages that existed, unarchived, when it was last modified, so records modified before a stage
 * was archived still sit in it, as in HubSpot, and a stage added at run time shows up only in later changes.
 */

export interface SimStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number;
}

export interface SimPipeline {
  id: string;
  label: string;
  displayOrder: number;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number;
  stages: SimStage[];
}

const T = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d, 9, 30, 0, 0);

function stages(list: Array<[id: string, label: string, metadata: Record<string, string>]>, createdAt: number): SimStage[] {
  return list.map(([id, label, metadata], displayOrder) => ({ id, label, displayOrder, metadata, createdAt, updatedAt: createdAt }));
}

const deal = (probability: string, isClosed = false) => ({ isClosed: String(isClosed), probability });

/** The deal stages of the default pipeline (ids HubSpot gives them), for property catalogs too. */
export const DEFAULT_DEAL_STAGES: Array<[string, string, Record<string, string>]> = [
  ['appointmentscheduled', 'Appointment Scheduled', deal('0.2')],
  ['qualifiedtobuy', 'Qualified To Buy', deal('0.4')],
  ['presentationscheduled', 'Presentation Scheduled', deal('0.6')],
  ['decisionmakerboughtin', 'Decision Maker Bought-In', deal('0.8')],
  ['contractsent', 'Contract Sent', deal('0.9')],
  ['closedwon', 'Closed Won', deal('1.0', true)],
  ['closedlost', 'Closed Lost', deal('0.0', true)],
];

/** The second deal pipeline: its own stages, then the default pipeline's closed stages under the same ids. */
export const RENEWAL_PIPELINE_ID = '71834920';
export const RENEWAL_STAGES: Array<[string, string, Record<string, string>]> = [
  ['71834921', 'Renewal due', deal('0.3')],
  ['71834922', 'Renewal quoted', deal('0.6')],
  ['71834923', 'Renewal committed', deal('0.9')],
  ['closedwon', 'Renewed', deal('1.0', true)],
  ['closedlost', 'Churned', deal('0.0', true)],
];

export const TICKET_STAGES: Array<[string, string, Record<string, string>]> = [
  ['1', 'New', { ticketState: 'OPEN' }],
  ['2', 'Waiting on contact', { ticketState: 'OPEN' }],
  ['3', 'Waiting on us', { ticketState: 'OPEN' }],
  ['4', 'Closed', { ticketState: 'CLOSED' }],
];

/** Lead stages keep HubSpot's string ids; `isClosed` marks the two outcomes (lead stage metadata are not in the spec). */
const LEAD_STAGES: Array<[string, string, Record<string, string>]> = [
  ['new-stage-id', 'New', { isClosed: 'false' }],
  ['attempting-stage-id', 'Attempting', { isClosed: 'false' }],
  ['connected-stage-id', 'Connected', { isClosed: 'false' }],
  ['qualified-stage-id', 'Qualified', { isClosed: 'true' }],
  ['unqualified-stage-id', 'Disqualified', { isClosed: 'true' }],
];

/** When the archived deal pipeline and the archived stages were archived (deals modified before may sit in them). */
export const ARCHIVED_PIPELINE_AT = T(2025, 5, 31);
export const ARCHIVED_STAGE_AT = T(2025, 7, 20);

/** The pipelines a standard type starts with; types absent have none. */
export function initialPipelines(type: ObjectType): SimPipeline[] {
  switch (type) {
    case 'deals': {
      const sales: SimPipeline = {
        id: 'default',
        label: 'Sales Pipeline',
        displayOrder: 0,
        createdAt: 0,
        updatedAt: T(2024, 2, 12),
        stages: stages(DEFAULT_DEAL_STAGES, 0),
      };
      // A stage retired in 2025 with deals still in it (archiving a stage does not move its deals).
      sales.stages.splice(2, 0, {
        id: '3471093',
        label: 'Needs analysis (retired)',
        displayOrder: 2,
        metadata: deal('0.5'),
        createdAt: T(2021, 3, 2),
        updatedAt: ARCHIVED_STAGE_AT,
        archivedAt: ARCHIVED_STAGE_AT,
      });
      sales.stages.forEach((stage, n) => (stage.displayOrder = n));
      const renewals: SimPipeline = {
        id: RENEWAL_PIPELINE_ID,
        label: 'Renewals 🔁',
        displayOrder: 1,
        createdAt: T(2023, 3, 14),
        updatedAt: T(2024, 11, 5),
        stages: stages(RENEWAL_STAGES, T(2023, 3, 14)),
      };
      const partners: SimPipeline = {
        id: '52341087',
        label: 'Partner deals (old)',
        displayOrder: 2,
        createdAt: T(2022, 1, 10),
        updatedAt: ARCHIVED_PIPELINE_AT,
        archivedAt: ARCHIVED_PIPELINE_AT,
        stages: stages(
          [
            ['52341088', 'Partner sourced', deal('0.3')],
            ['52341089', 'Partner closed', deal('1.0', true)],
          ],
          T(2022, 1, 10),
        ),
      };
      return [sales, renewals, partners];
    }
    case 'tickets': {
      const support: SimPipeline = {
        id: '0',
        label: 'Support Pipeline',
        displayOrder: 0,
        createdAt: 0,
        updatedAt: T(2024, 6, 3),
        stages: stages(TICKET_STAGES, 0),
      };
      support.stages.push({
        id: '5',
        label: 'Escalated (retired)',
        displayOrder: 4,
        metadata: { ticketState: 'OPEN' },
        createdAt: T(2022, 8, 1),
        updatedAt: ARCHIVED_STAGE_AT,
        archivedAt: ARCHIVED_STAGE_AT,
      });
      return [support];
    }
    case 'leads':
      return [{ id: 'lead-pipeline-id', label: 'Lead pipeline', displayOrder: 0, createdAt: 0, updatedAt: T(2024, 9, 17), stages: stages(LEAD_STAGES, 0) }];
    default:
      return [];
  }
}

/** A custom object's pipeline; its id and stage ids are numbers derived from the object's id, as HubSpot allocates them. */
export function customObjectPipeline(schemaId: string, createdAt: number): SimPipeline {
  const base = Number(schemaId) * 10;
  const list: Array<[string, string, Record<string, string>]> = [
    [String(base + 1), 'Planned', { isClosed: 'false' }],
    [String(base + 2), 'In progress', { isClosed: 'false' }],
    [String(base + 3), 'Delivered', { isClosed: 'true' }],
    [String(base + 4), 'Cancelled', { isClosed: 'true' }],
  ];
  return { id: String(base), label: 'Project pipeline', displayOrder: 0, createdAt, updatedAt: createdAt, stages: stages(list, createdAt) };
}

/** Whether a pipeline or stage existed, unarchived, at instant `t`. */
export function liveAt(item: { createdAt: number; archivedAt?: number }, t: number): boolean {
  return item.createdAt <= t && (item.archivedAt === undefined || item.archivedAt > t);
}

/**
 * A record's pipeline and stage as of instant `t`: the first pipeline (the default) for most records, another
 * live one for a share of them; a stage of that pipeline live at `t`.
 */
export function pickPipelineStage(pipelines: readonly SimPipeline[], t: number, random: Random): { pipeline: string; stage: string } | undefined {
  const live = pipelines.filter((p) => liveAt(p, t));
  if (live.length === 0) return undefined;
  const roll = random();
  const pipeline = live.length === 1 || roll < 0.7 ? live[0] : live[1 + Math.floor(random() * (live.length - 1))];
  const choices = pipeline.stages.filter((s) => liveAt(s, t));
  if (choices.length === 0) return { pipeline: pipeline.id, stage: pipeline.stages[0].id };
  return { pipeline: pipeline.id, stage: choices[Math.floor(random() * choices.length)].id };
}

const STAGE_NAMES = ['Discovery call', 'Technical review', 'Legal review ⚖️', 'Procurement', 'Security questionnaire', 'On hold', 'Pilot', 'Verbal yes'];

/** Adds a stage to a live pipeline at `now` (a portal admin editing the pipeline); returns it. */
export function addStage(pipelines: SimPipeline[], now: number, random: Random, nextId: () => string): SimStage | undefined {
  const live = pipelines.filter((p) => p.archivedAt === undefined);
  if (live.length === 0) return undefined;
  const pipeline = live[Math.floor(random() * live.length)];
  const stage: SimStage = {
    id: nextId(),
    label: `${STAGE_NAMES[Math.floor(random() * STAGE_NAMES.length)]} ${pipeline.stages.length + 1}`,
    displayOrder: pipeline.stages.length,
    metadata:
      pipeline.stages.find((s) => s.archivedAt === undefined)?.metadata.probability !== undefined
        ? { isClosed: 'false', probability: '0.5' }
        : { ...pipeline.stages[0].metadata },
    createdAt: now,
    updatedAt: now,
  };
  pipeline.stages.push(stage);
  pipeline.updatedAt = now;
  return stage;
}

/** Renames a live stage at `now` (labels change, ids never do). */
export function renameStage(pipelines: SimPipeline[], now: number, random: Random): SimStage | undefined {
  const candidates = pipelines
    .filter((p) => p.archivedAt === undefined)
    .flatMap((p) => p.stages.filter((s) => s.archivedAt === undefined).map((s) => [p, s] as const));
  if (candidates.length === 0) return undefined;
  const [pipeline, stage] = candidates[Math.floor(random() * candidates.length)];
  stage.label = stage.label.endsWith(' ✏️') ? stage.label.slice(0, -3) : `${stage.label} ✏️`;
  stage.updatedAt = now;
  pipeline.updatedAt = now;
  return stage;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A stage as the pipelines API returns it. */
export function stageJson(stage: SimStage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: stage.id,
    label: stage.label,
    displayOrder: stage.displayOrder,
    metadata: { ...stage.metadata },
    createdAt: iso(stage.createdAt),
    updatedAt: iso(stage.updatedAt),
    archived: stage.archivedAt !== undefined,
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  };
  if (stage.archivedAt !== undefined) out.archivedAt = iso(stage.archivedAt);
  return out;
}

/** A pipeline as the pipelines API returns it: with `allStages`, archived stages too (the manifest's view). */
export function pipelineJson(pipeline: SimPipeline, allStages: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: pipeline.id,
    label: pipeline.label,
    displayOrder: pipeline.displayOrder,
    createdAt: iso(pipeline.createdAt),
    updatedAt: iso(pipeline.updatedAt),
    archived: pipeline.archivedAt !== undefined,
    stages: pipeline.stages.filter((s) => allStages || s.archivedAt === undefined).map(stageJson),
  };
  if (pipeline.archivedAt !== undefined) out.archivedAt = iso(pipeline.archivedAt);
  return out;
}
