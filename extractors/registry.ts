import type { AnyExtractor } from './base.js';
import { contacts } from './contacts.js';
import { companies } from './companies.js';
import { deals } from './deals.js';
import { calls, emails, meetings, notes, tasks } from './engagements.js';
import { forms } from './forms.js';

/** Every extractor, in the order a run starts them (they then run side by side on one shared budget). */
export const EXTRACTORS: readonly AnyExtractor[] = [contacts, companies, deals, calls, emails, meetings, notes, tasks, forms];

export const EXTRACTOR_NAMES = EXTRACTORS.map((e) => e.name);

/** Picks extractors by `--objects a,b`; unknown names are a usage error naming the valid ones. */
export function selectExtractors(list?: string): AnyExtractor[] {
  if (!list || list.trim() === '' || list.trim() === 'all') return [...EXTRACTORS];
  const wanted = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const aliases: Record<string, string> = { form_submissions: 'forms', submissions: 'forms', engagements: 'calls,emails,meetings,notes,tasks' };
  const names = new Set(wanted.flatMap((w) => (aliases[w] ?? w).split(',')));
  const unknown = [...names].filter((n) => !EXTRACTOR_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new Error(`--objects: unknown object type ${unknown.map((u) => JSON.stringify(u)).join(', ')}; expected a comma-separated list of ${EXTRACTOR_NAMES.join(', ')}, engagements`);
  }
  return EXTRACTORS.filter((e) => names.has(e.name));
}
