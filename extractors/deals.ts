import { standardReadTargets } from './association-pairs.js';
import { crmObject } from './crm/extractor.js';

export const deals = crmObject({
  name: 'deals',
  apiType: 'deals',
  primaryKey: 'id',
  cursorField: 'hs_lastmodifieddate',
  // Contacts, engagements, tickets and line items (association-pairs.ts).
  associations: standardReadTargets('deals'),
});
