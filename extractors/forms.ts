import type { FormsExtractor } from './base.js';
import { FORMS, runForms } from './forms/driver.js';

/** Forms of every type, then each form's submissions (one extractor: the submissions need the forms). */
export const forms: FormsExtractor = Object.freeze({ kind: 'forms' as const, name: FORMS, run: runForms });
