import { describe, expect, it } from 'vitest';
import { onFormsPage, startForms } from '../../../extractors/passes/forms.js';
import { PaginationLoopError } from '../../../extractors/passes/pagination.js';
import {
  onSubmissionsPage,
  startSubmissions,
  submissionKey,
  type KeyedSubmission,
  type SubmissionCursor,
  type SubmissionsEffect,
} from '../../../extractors/passes/submissions.js';

const sub = (key: string, submittedAt?: number): KeyedSubmission => ({ key, conversionId: key, submittedAt, values: [] });

describe('submission keys', () => {
  it('the conversionId when there is one', () => {
    expect(submissionKey('f', { conversionId: 'c-1', submittedAt: 1, values: [] })).toBe('c-1');
  });
  it('derived when there is none: stable across runs and value order, distinct when anything stored differs', () => {
    const a = { submittedAt: 5, pageUrl: 'https://x/a', values: [{ name: 'email', value: 'a@b.c', objectTypeId: '0-1' }] };
    const key = submissionKey('f', a);
    expect(key).toMatch(/^derived:[0-9a-f]{64}$/);
    expect(submissionKey('f', { ...a, values: [{ objectTypeId: '0-1', value: 'a@b.c', name: 'email' }] })).toBe(key);
    expect(submissionKey('f', { ...a, conversionId: '' })).toBe(key);
    for (const other of [
      { ...a, submittedAt: 6 },
      { ...a, pageUrl: 'https://x/b' },
      { ...a, values: [] },
    ])
      expect(submissionKey('f', other)).not.toBe(key);
    expect(submissionKey('g', a)).not.toBe(key);
    expect(submissionKey('f', { values: [] })).toMatch(/^derived:/);
  });
});

describe('submission transitions (one form, newest first)', () => {
  const drive = (stored: SubmissionCursor, pages: { results: KeyedSubmission[]; next?: string }[], fresh = false) => {
    let step = startSubmissions('form_submissions:f', stored, fresh);
    for (const p of pages) step = onSubmissionsPage(step.state, p);
    return step;
  };
  const table: [string, SubmissionCursor, { results: KeyedSubmission[]; next?: string }[], SubmissionsEffect[], boolean?][] = [
    ['first run: from the newest', {}, [], [{ kind: 'fetch', after: undefined }]],
    ['a pass under way resumes', { floor: 5, pass: { newest: 90, after: 'p3' } }, [], [{ kind: 'fetch', after: 'p3' }]],
    ['a full refresh starts from nothing', { floor: 5 }, [], [{ kind: 'fetch', after: undefined }], true],
    [
      'a page with more: the next is asked for, this one committed with the pass position',
      {},
      [{ results: [sub('a', 90), sub('b', 80)], next: 'p2' }],
      [
        { kind: 'fetch', after: 'p2' },
        { kind: 'commit', submissions: [sub('a', 90), sub('b', 80)], cursor: { floor: undefined, pass: { newest: 90, after: 'p2' } } },
      ],
    ],
    [
      'the last page: the floor becomes the newest seen',
      {},
      [{ results: [sub('a', 90)] }],
      [{ kind: 'commit', submissions: [sub('a', 90)], cursor: { floor: 90 } }, { kind: 'done' }],
    ],
    [
      "an older submission than the floor: stored ones reached, stop (the floor's millisecond is re-read)",
      { floor: 50 },
      [{ results: [sub('n', 70), sub('f', 50), sub('o', 40)], next: 'p2' }],
      [{ kind: 'commit', submissions: [sub('n', 70), sub('f', 50)], cursor: { floor: 70 } }, { kind: 'done' }],
    ],
    [
      'a submission without a time is stored, and neither stops the pass nor moves the floor',
      { floor: 50 },
      [{ results: [sub('x'), sub('n', 60)] }],
      [{ kind: 'commit', submissions: [sub('x'), sub('n', 60)], cursor: { floor: 60 } }, { kind: 'done' }],
    ],
    [
      'a page of submissions without times only: stored, the floor stays',
      { floor: 50 },
      [{ results: [sub('x'), sub('y')] }],
      [{ kind: 'commit', submissions: [sub('x'), sub('y')], cursor: { floor: 50 } }, { kind: 'done' }],
    ],
    [
      'a repeated page cursor fails the form instead of looping',
      {},
      [
        { results: [sub('a', 9)], next: 'p2' },
        { results: [sub('b', 8)], next: 'p2' },
      ],
      [{ kind: 'fail', error: new PaginationLoopError('form_submissions:f', 'p2') }],
    ],
  ];
  it.each(table)('%s', (_name, stored, pages, expected, fresh) => {
    expect(drive(stored, pages, fresh).effects).toEqual(expected);
  });
});

describe('forms transitions', () => {
  const form = (id: string, formType = 'hubspot') => ({ id, name: id, formType });
  it('pages are stored as they come; only the end of the list marks unlisted forms, then submissions follow', () => {
    let step = startForms(77);
    expect(step.effects).toEqual([{ kind: 'fetch' }]);
    step = onFormsPage(step.state, { results: [form('a')], next: 'n1' });
    expect(step.effects).toEqual([
      { kind: 'fetch', after: 'n1' },
      { kind: 'store', forms: [form('a')] },
    ]);
    step = onFormsPage(step.state, { results: [form('b', 'blog_comment')] });
    expect(step.effects).toEqual([
      { kind: 'store', forms: [form('b', 'blog_comment')] },
      { kind: 'markUnlisted', startedAt: 77 },
      {
        kind: 'done',
        forms: [
          { id: 'a', formType: 'hubspot' },
          { id: 'b', formType: 'blog_comment' },
        ],
      },
    ]);
  });
  it('a repeated cursor fails without marking anything', () => {
    let step = startForms(1);
    step = onFormsPage(step.state, { results: [], next: 'x' });
    step = onFormsPage(step.state, { results: [], next: 'x' });
    expect(step.effects).toEqual([
      { kind: 'store', forms: [] },
      { kind: 'fail', error: new PaginationLoopError('forms', 'x') },
    ]);
  });
});
