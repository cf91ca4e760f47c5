import { standardReadTargets } from './association-pairs.js';
import { crmObject } from './crm/extractor.js';

/** The five engagement types, each its own v3 object type. Their company, deal, ticket and quote
 * associations are read from those sides (fewer records); contacts outnumber them, so they read their contacts. */
const engagement = (name: string) =>
  crmObject({ name, apiType: name, primaryKey: 'id', cursorField: 'hs_lastmodifieddate', associations: standardReadTargets(name) });

export const calls = engagement('calls');
export const emails = engagement('emails');
export const meetings = engagement('meetings');
export const notes = engagement('notes');
export const tasks = engagement('tasks');
