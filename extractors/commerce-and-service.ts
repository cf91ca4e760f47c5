import { standardReadTargets } from './association-pairs.js';
import { crmObject } from './crm/extractor.js';

/**
 * The standard types of issue 14. A portal may lack any of them (leads need Sales Hub; quotes, products and line
 * items the commerce tools): a 403/404 skips the type with one warning (src/hubspot/object-types.ts `optional`).
 * Every one cursors on `hs_lastmodifieddate` (contract §2.3; the search guide's table for each newer type).
 */
const standard = (name: string) =>
  crmObject({ name, apiType: name, primaryKey: 'id', cursorField: 'hs_lastmodifieddate', associations: standardReadTargets(name) });

/** Read their contacts, companies' tickets come from companies, deals' from deals; engagements from the ticket side. */
export const tickets = standard('tickets');
/** No associations: line items name their product in `hs_product_id`. */
export const products = standard('products');
/** Read from deals and quotes (fewer records). */
export const lineItems = standard('line_items');
/** Read their deals, line items, contacts and companies; their tasks too. */
export const quotes = standard('quotes');
/** Read their contacts; their companies are read from companies. */
export const leads = standard('leads');
