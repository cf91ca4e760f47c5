import { crmObject } from './crm/extractor.js';

/**
 * Each association pair is read once, from its side with fewer records (1,000 inputs a call): companies
 * are the smallest type, so they read their contacts, deals and engagements.
 */
export const companies = crmObject({
  name: 'companies',
  primaryKey: 'id',
  cursorField: 'hs_lastmodifieddate',
  associations: ['contacts', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'],
});
