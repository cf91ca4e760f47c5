import { standardReadTargets } from './association-pairs.js';
import { crmObject } from './crm/extractor.js';

/**
 * Each association pair is read once, from its side with fewer records (1,000 inputs a call): companies are
 * among the smallest types, so they read their contacts, deals, engagements, tickets and leads.
 */
export const companies = crmObject({
  name: 'companies',
  apiType: 'companies',
  primaryKey: 'id',
  cursorField: 'hs_lastmodifieddate',
  associations: standardReadTargets('companies'),
});
