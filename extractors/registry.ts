import { isCrmObjectExtractor, isCustomObjectsSelection, type AnyExtractor, type CustomObjectsSelection, type Selected } from './base.js';
import { associationPlan, STANDARD_PAIRS } from './association-pairs.js';
import { crmObject } from './crm/extractor.js';
import { apiTypeOf, type ResolvedObjectTypes } from './object-types.js';
import { contacts } from './contacts.js';
import { companies } from './companies.js';
import { deals } from './deals.js';
import { calls, emails, meetings, notes, tasks } from './engagements.js';
import { leads, lineItems, products, quotes, tickets } from './commerce-and-service.js';
import { forms } from './forms.js';

/** Every extractor of a standard stream, in the order a run starts them (they then run side by side on one shared budget). */
export const EXTRACTORS: readonly AnyExtractor[] = [
  contacts,
  companies,
  deals,
  calls,
  emails,
  meetings,
  notes,
  tasks,
  tickets,
  products,
  lineItems,
  quotes,
  leads,
  forms,
];

/** Every custom object the portal has: one extractor each, made by the run once the schemas API has named them. */
export const CUSTOM_OBJECTS: CustomObjectsSelection = Object.freeze({ kind: 'custom-objects' as const, name: 'custom_objects' as const });

export const EXTRACTOR_NAMES = [...EXTRACTORS.map((e) => e.name), CUSTOM_OBJECTS.name];

/** Picks extractors by `--objects a,b`; unknown names are a usage error naming the valid ones. */
export function selectExtractors(list?: string): Selected[] {
  if (!list || list.trim() === '' || list.trim() === 'all') return [...EXTRACTORS, CUSTOM_OBJECTS];
  const wanted = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const aliases: Record<string, string> = {
    form_submissions: 'forms',
    submissions: 'forms',
    engagements: 'calls,emails,meetings,notes,tasks',
    custom: 'custom_objects',
    lineitems: 'line_items',
  };
  const names = new Set(wanted.flatMap((w) => (aliases[w] ?? w).split(',')));
  const unknown = [...names].filter((n) => !EXTRACTOR_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `--objects: unknown object type ${unknown.map((u) => JSON.stringify(u)).join(', ')}; expected a comma-separated list of ${EXTRACTOR_NAMES.join(', ')}, engagements`,
    );
  }
  return [...EXTRACTORS.filter((e) => names.has(e.name)), ...(names.has(CUSTOM_OBJECTS.name) ? [CUSTOM_OBJECTS] : [])];
}

/**
 * The extractors of one run, once its object types are resolved: each selected standard type with the association
 * pairs it reads among every type the run knows (custom objects' pairs included), and one extractor per custom
 * object when they are selected. Declarations stay frozen; these are made per run.
 */
export function runExtractors(selected: readonly Selected[], resolved: ResolvedObjectTypes): AnyExtractor[] {
  const custom = resolved.types.filter((t) => t.custom);
  const plan = associationPlan([...STANDARD_PAIRS, ...resolved.customPairs], new Set(custom.map((t) => t.name)));
  const out: AnyExtractor[] = [];
  for (const e of selected) {
    if (isCrmObjectExtractor(e)) out.push(crmObject({ ...e.decl, associations: plan.get(e.decl.name) ?? [] }));
    else if (!isCustomObjectsSelection(e)) out.push(e);
  }
  if (selected.some(isCustomObjectsSelection)) {
    for (const t of custom) {
      // Custom objects cursor on hs_lastmodifieddate like every type but contacts (contract §2.3).
      out.push(crmObject({ name: t.name, apiType: apiTypeOf(t), primaryKey: 'id', cursorField: 'hs_lastmodifieddate', associations: plan.get(t.name) ?? [] }));
    }
  }
  return out;
}

/** The standard types a selection names (the run's object types before discovery). */
export function selectedStandardTypes(selected: readonly Selected[]): string[] {
  return selected.filter(isCrmObjectExtractor).map((e) => e.decl.name);
}
