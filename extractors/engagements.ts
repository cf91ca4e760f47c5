import { crmObject } from './crm/extractor.js';
import type { CrmObjectType } from './types.js';

/** The five engagement types, each its own v3 object type. Their company and deal
 * associations are read from the company and deal side (fewer records); contacts outnumber them, so they read their contacts. */
const engagement = (name: CrmObjectType) =>
  crmObject({ name, primaryKey: 'id', cursorField: 'hs_lastmodifieddate', associations: ['contacts'] });

export const calls = engagement('calls');
export const emails = engagement('emails');
export const meetings = engagement('meetings');
export const notes = engagement('notes');
export const tasks = engagement('tasks');
