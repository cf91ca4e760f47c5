import { selectProperties, type PropertySelection } from '../../config/property-selection.js';
import { SEARCH_BODY_MAX_CHARS, searchBodyChars } from '../../src/hubspot/request-size.js';
import type { Strategy } from '../passes/cursor.js';
import { incrementalSearch } from '../passes/incremental.js';

/**
 * How a type's records are read this run, decided from the selected properties before any request fails:
 *
 * - list pages carry the properties in the URL: `inline` while the URL fits (1 call per 100 records),
 *   `by-ids` past it: ids from the search keyset (the search budget, 200 a call) and records from
 *   `batch/read` with the properties in the POST body (the same window calls as inline list pages).
 * - the incremental search carries the properties in its body while it fits 3,000 characters; past that it
 *   asks for ids and modified dates and the records come from `batch/read`.
 */
export interface ReadPlan {
  properties: string[];
  /** Names the selection gives that the portal's catalog lacks (a warning). */
  unknown: string[];
  strategy: Strategy;
  /** The incremental search returns the records itself (else ids, then batch/read). */
  searchInline: boolean;
}

export function planReads(input: {
  type: string;
  cursorField: string;
  catalog: readonly string[];
  selection: PropertySelection;
  listUrlBytes: (properties: readonly string[]) => number;
  urlBudgetBytes: number;
  searchBudgetChars?: number;
}): ReadPlan {
  const { properties, unknown } = selectProperties(input.selection, input.type, input.catalog, [input.cursorField, 'hs_object_id']);
  const strategy: Strategy = input.listUrlBytes(properties) <= input.urlBudgetBytes ? 'inline' : 'by-ids';
  // The longest searches the incremental pass sends: either form, with the widest millisecond and id values.
  const ms = 9_999_999_999_999;
  const longest = Math.max(
    searchBodyChars(incrementalSearch({ ts: ms }, ms, input.cursorField, properties)),
    searchBodyChars(incrementalSearch({ ts: ms, id: '9223372036854775807' }, ms, input.cursorField, properties)),
  );
  return { properties, unknown, strategy, searchInline: longest <= (input.searchBudgetChars ?? SEARCH_BODY_MAX_CHARS) };
}
