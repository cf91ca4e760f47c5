import { standardReadTargets } from './association-pairs.js';
import { crmObject } from './crm/extractor.js';

/** Contacts are the one type whose search cursor is `lastmodifieddate` (hs_lastmodifieddate silently misses records). */
export const contacts = crmObject({
  name: 'contacts',
  apiType: 'contacts',
  primaryKey: 'id',
  cursorField: 'lastmodifieddate',
  // None: every contact pair is read from the other side, which has fewer records: fewer batch calls.
  associations: standardReadTargets('contacts'),
});
