import { errorBody, json, validationError, type HttpReply } from './error-bodies.js';
import { integerParam, listParam, booleanParam } from './params.js';
import type { FormType, SimForm, SimSubmission } from './portal.js';
import { routePattern, type Route, type RouteContext } from './route-types.js';

/** Marketing forms v3 and legacy form submissions v1 (contract §2.6, §2.7). */

const FORM_LIST_MAX = 1000;
const SUBMISSIONS_MAX = 50;
const ALL_FORM_TYPES: FormType[] = ['hubspot', 'captured', 'flow', 'blog_comment'];

const iso = (ms: number) => new Date(ms).toISOString();

function cursor(prefix: string, key: string): string {
  return Buffer.from(`${prefix}:${key}`).toString('base64url');
}

function uncursor(prefix: string, raw: string): string | undefined {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  return text.startsWith(`${prefix}:`) ? text.slice(prefix.length + 1) : undefined;
}

function formDefinition(form: SimForm): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: form.id,
    name: form.name,
    createdAt: iso(form.createdAt),
    updatedAt: iso(form.updatedAt),
    archived: form.archivedAt !== undefined,
    fieldGroups: [
      {
        groupType: 'default_group',
        richTextType: 'text',
        fields: [
          {
            objectTypeId: '0-1',
            name: 'email',
            label: 'Email',
            required: true,
            hidden: false,
            fieldType: 'email',
            dependentFields: [],
            validation: { blockedEmailDomains: [], useDefaultBlockList: false },
          },
          { objectTypeId: '0-1', name: 'firstname', label: 'First name', required: false, hidden: false, fieldType: 'single_line_text', dependentFields: [] },
        ],
      },
    ],
    configuration: {
      language: 'en',
      cloneable: true,
      postSubmitAction: { type: 'thank_you', value: 'Thanks for submitting the form.' },
      editable: true,
      archivable: true,
      recaptchaEnabled: false,
      notifyContactOwner: false,
      notifyRecipients: [],
      createNewContactForNewEmail: false,
      prePopulateKnownValues: true,
      allowLinkToResetKnownValues: false,
      lifecycleStages: [],
    },
    displayOptions: {
      renderRawHtml: false,
      theme: 'default_style',
      submitButtonText: 'Submit',
      style: {
        fontFamily: 'arial, helvetica, sans-serif',
        backgroundWidth: '100%',
        labelTextColor: '#33475b',
        labelTextSize: '14px',
        helpTextColor: '#7C98B6',
        helpTextSize: '11px',
        legalConsentTextColor: '#33475b',
        legalConsentTextSize: '14px',
        submitColor: '#ff7a59',
        submitAlignment: 'left',
        submitFontColor: '#ffffff',
        submitSize: '12px',
      },
    },
    legalConsentOptions: { type: 'none' },
    formType: form.formType,
  };
  if (form.archivedAt !== undefined) out.archivedAt = iso(form.archivedAt);
  return out;
}

/** Form definitions are large and rarely change, so their JSON is kept per form and version of the form. */
const formJsonCache = new WeakMap<SimForm, { key: string; text: string }>();

function formJson(form: SimForm): string {
  const key = `${form.updatedAt}:${form.archivedAt ?? ''}`;
  const cached = formJsonCache.get(form);
  if (cached?.key === key) return cached.text;
  const text = JSON.stringify(formDefinition(form));
  formJsonCache.set(form, { key, text });
  return text;
}

function listForms(ctx: RouteContext): HttpReply {
  const limit = integerParam(ctx.query.get('limit') ?? undefined, 'limit', 20, 1, FORM_LIST_MAX);
  if (!limit.ok) return limit.reply;
  const requested = listParam(ctx.query, 'formTypes');
  for (const type of requested) {
    if (type !== 'all' && !ALL_FORM_TYPES.includes(type as FormType)) return validationError(`Invalid formTypes value: ${type}`);
  }
  // "HubSpot defaults to formTypes=hubspot, so we have to explicitly ask for all formTypes."
  const types: FormType[] = requested.length === 0 ? ['hubspot'] : requested.includes('all') ? ALL_FORM_TYPES : (requested as FormType[]);
  const archived = booleanParam(ctx.query, 'archived');
  const forms = ctx.portal.forms.filter((form) => types.includes(form.formType) && (form.archivedAt !== undefined) === archived);
  let start = 0;
  const afterRaw = ctx.query.get('after');
  if (afterRaw) {
    const id = uncursor('f', afterRaw);
    start = id === undefined ? -1 : forms.findIndex((form) => form.id === id);
    if (start < 0) return validationError(`Invalid after: ${afterRaw}`);
  }
  const page = forms.slice(start, start + limit.value);
  const results = page.map(formJson).join(',');
  const next = forms[start + limit.value];
  let paging = '';
  if (next) {
    const after = cursor('f', next.id);
    const link = new URL('/marketing/v3/forms', ctx.baseUrl);
    link.searchParams.set('after', after);
    paging = `,"paging":${JSON.stringify({ next: { after, link: link.toString() } })}`;
  }
  return { status: 200, body: `{"results":[${results}]${paging}}`, contentType: 'application/json;charset=utf-8' };
}

function submissionKey(s: SimSubmission): string {
  return `${s.submittedAt}:${s.conversionId}`;
}

function listSubmissions(ctx: RouteContext): HttpReply {
  const form = ctx.portal.form(ctx.params.guid);
  if (!form) return json(404, errorBody('OBJECT_NOT_FOUND', `Form ${ctx.params.guid} not found`));
  if (form.formType === 'blog_comment') {
    return json(400, errorBody('VALIDATION_ERROR', `Form type blog_comment is not allowed: FORM_TYPE_NOT_ALLOWED`, { subCategory: 'FORM_TYPE_NOT_ALLOWED' }));
  }
  const limit = integerParam(ctx.query.get('limit') ?? undefined, 'limit', 20, 1, SUBMISSIONS_MAX);
  if (!limit.ok) return limit.reply;
  const submissions = ctx.portal.submissions(form.id);
  let start = 0;
  const afterRaw = ctx.query.get('after');
  if (afterRaw) {
    // The cursor names the next submission by (time, id), so submissions added meanwhile (at the head, newest
    // first) do not shift the pages still to be read.
    const key = uncursor('s', afterRaw);
    const [time, id] = key?.split(':') ?? [];
    if (!time || !id) return validationError(`Invalid after: ${afterRaw}`);
    const at = Number(time);
    start = submissions.findIndex((s) => s.submittedAt < at || (s.submittedAt === at && s.conversionId <= id));
    if (start < 0) start = submissions.length;
  }
  const page = submissions.slice(start, start + limit.value);
  const body: Record<string, unknown> = {
    results: page.map((s) => ({ conversionId: s.conversionId, submittedAt: s.submittedAt, values: s.values, pageUrl: s.pageUrl })),
  };
  const next = submissions[start + limit.value];
  if (next) {
    const after = cursor('s', submissionKey(next));
    const link = new URL(`/form-integrations/v1/submissions/forms/${form.id}`, ctx.baseUrl);
    link.searchParams.set('after', after);
    body.paging = { next: { after, link: link.toString() } };
  }
  return json(200, body);
}

export const formRoutes: Route[] = [
  { method: 'GET', pattern: routePattern('/marketing/v3/forms'), kind: 'standard', handle: listForms },
  { method: 'GET', pattern: routePattern('/form-integrations/v1/submissions/forms/:guid'), kind: 'standard', handle: listSubmissions },
];
