import type { CrmObjectDeclaration, CrmObjectExtractor, ExtractorContext } from '../base.js';
import { objectStream } from '../passes/cursor.js';
import { runCrmObject } from './object-run.js';

/** A CRM object extractor from its declaration. The declaration is frozen: per-run state lives in the run. */
export function crmObject(decl: CrmObjectDeclaration): CrmObjectExtractor {
  const frozen: CrmObjectDeclaration = Object.freeze({ ...decl, associations: Object.freeze([...decl.associations]) });
  return Object.freeze({
    kind: 'crm-object' as const,
    name: frozen.name,
    decl: frozen,
    stream: objectStream(frozen.name),
    run: (ctx: ExtractorContext) => runCrmObject(frozen, ctx),
  });
}
