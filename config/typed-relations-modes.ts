/**
 * How each object table's typed relation (`<table>_typed`) is kept (HUBSPOT_TYPED_RELATIONS). Declared here, below
 * every layer, because the settings validate the choice and `src/load/typed-relations.ts` builds by it.
 */
export const TYPED_RELATIONS_MODES = ['table', 'view', 'off'] as const;
export type TypedRelationsMode = (typeof TYPED_RELATIONS_MODES)[number];
