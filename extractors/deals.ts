import { crmObject } from './crm/extractor.js';

export const deals = crmObject({
  name: 'deals',
  primaryKey: 'id',
  cursorField: 'hs_lastmodifieddate',
  associations: ['contacts', 'calls', 'emails', 'meetings', 'notes', 'tasks'],
});
