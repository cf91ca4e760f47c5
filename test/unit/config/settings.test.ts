import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseSettings, renderEnvExample, SETTINGS, SettingsError, TIER_LIMITS, effectiveWindowLimit, secretsOf } from '../../../config/settings.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseSettings(env);
  } catch (e) {
    if (e instanceof SettingsError) return e.problems;
    throw e;
  }
  throw new Error('expected a SettingsError');
}

describe('settings', () => {
  it('applies defaults and the tier limits', () => {
    const s = parseSettings({});
    expect(s.baseUrl).toBe('https://api.hubapi.com');
    expect(s.tier).toBe('professional');
    expect(s.maxRequestsPer10s).toBe(190);
    expect(s.dailyLimit).toBe(625_000);
    expect(s.safetyMargin).toBe(1);
    expect(s.dbSchema).toBe('hubspot');
    expect(s.appEnv).toBe('development');
    expect(s.accessToken).toBeUndefined();
    expect(s.databaseUrl).toBeUndefined();
  });

  it('reads the API version, the property selection and the delete share guard', () => {
    const d = parseSettings({});
    expect([d.apiVersion, d.properties, d.maxDeleteShare]).toEqual(['2026-09', {}, 0.5]);
    const s = parseSettings({ HUBSPOT_API_VERSION: 'legacy', HUBSPOT_PROPERTIES: 'emails:-hs_email_html', HUBSPOT_MAX_DELETE_SHARE: '0.9' });
    expect([s.apiVersion, s.properties, s.maxDeleteShare]).toEqual(['legacy', { emails: { mode: 'exclude', names: ['hs_email_html'] } }, 0.9]);
    expect(problemsOf({ HUBSPOT_API_VERSION: 'v3', HUBSPOT_PROPERTIES: 'contacts:email,-phone', HUBSPOT_MAX_DELETE_SHARE: '2' })).toEqual([
      'HUBSPOT_API_VERSION: expected one of 2026-09|2026-03|legacy, got "v3"',
      'HUBSPOT_PROPERTIES: contacts: mixes included and excluded (-) properties; list the ones to keep or the ones to leave out; expected type:name,name;type:-name (a leading - excludes), got "contacts:email,-phone"',
      'HUBSPOT_MAX_DELETE_SHARE: expected a fraction between 0 and 1 (e.g. 0.5), got "2"',
    ]);
  });

  it('keeps the shared limits in the data schema unless HUBSPOT_LIMITS_SCHEMA names another', () => {
    expect(parseSettings({ HUBSPOT_DB_SCHEMA: 'staging' }).limitsSchema).toBe('staging');
    expect(parseSettings({ HUBSPOT_DB_SCHEMA: 'staging', HUBSPOT_LIMITS_SCHEMA: 'hubspot' }).limitsSchema).toBe('hubspot');
    expect(() => parseSettings({ HUBSPOT_LIMITS_SCHEMA: 'Bad-Name' })).toThrow(/HUBSPOT_LIMITS_SCHEMA/);
  });

  it('builds typed relations as tables unless HUBSPOT_TYPED_RELATIONS says view or off', () => {
    expect(parseSettings({}).typedRelations).toBe('table');
    expect(parseSettings({ HUBSPOT_TYPED_RELATIONS: 'View' }).typedRelations).toBe('view');
    expect(parseSettings({ HUBSPOT_TYPED_RELATIONS: 'off' }).typedRelations).toBe('off');
    expect(problemsOf({ HUBSPOT_TYPED_RELATIONS: 'materialized' })).toEqual(['HUBSPOT_TYPED_RELATIONS: expected one of table|view|off, got "materialized"']);
  });

  it('derives limits from each tier', () => {
    for (const [tier, limits] of Object.entries(TIER_LIMITS)) {
      const s = parseSettings({ HUBSPOT_TIER: tier });
      expect([s.maxRequestsPer10s, s.dailyLimit]).toEqual([limits.per10s, limits.daily]);
    }
  });

  it('lets explicit limits override the tier and flags override env', () => {
    const s = parseSettings(
      { HUBSPOT_TIER: 'free', HUBSPOT_MAX_REQUESTS_PER_10S: '150', HUBSPOT_DAILY_LIMIT: '1000' },
      { HUBSPOT_MAX_REQUESTS_PER_10S: '120' },
    );
    expect(s.maxRequestsPer10s).toBe(120);
    expect(s.dailyLimit).toBe(1000);
  });

  it('gives lower concurrency in development than production unless set', () => {
    const dev = parseSettings({ APP_ENV: 'development' });
    const prod = parseSettings({ APP_ENV: 'production' });
    expect(dev.maxConcurrency).toBeLessThan(prod.maxConcurrency);
    expect(parseSettings({ APP_ENV: 'development', HUBSPOT_MAX_CONCURRENCY: '40' }).maxConcurrency).toBe(40);
  });

  it('strips a trailing slash from the base URL and applies the safety margin', () => {
    const s = parseSettings({ HUBSPOT_BASE_URL: 'http://127.0.0.1:3000/', HUBSPOT_SAFETY_MARGIN: '0.9' });
    expect(s.baseUrl).toBe('http://127.0.0.1:3000');
    expect(effectiveWindowLimit(s)).toBe(171);
  });

  it.each([
    ['HUBSPOT_MAX_REQUESTS_PER_10S', 'abc', 'positive whole number'],
    ['HUBSPOT_MAX_REQUESTS_PER_10S', '-5', 'positive whole number'],
    ['HUBSPOT_MAX_REQUESTS_PER_10S', '0', 'positive whole number'],
    ['HUBSPOT_DAILY_LIMIT', '1.5', 'positive whole number'],
    ['HUBSPOT_TIER', 'gold', 'free|starter|professional|enterprise|api-addon'],
    ['HUBSPOT_BASE_URL', 'ftp://x', 'http(s) URL'],
    ['HUBSPOT_SAFETY_MARGIN', '1.5', 'fraction'],
    ['HUBSPOT_DAILY_RESERVE', 'lots', 'fraction'],
    ['HUBSPOT_SHARED_LIMITS', 'maybe', 'true or false'],
    ['DATABASE_URL', 'mysql://x', 'postgres://'],
    ['HUBSPOT_DB_SCHEMA', 'Bad-Name', 'SQL identifier'],
    ['LOG_LEVEL', 'loud', 'trace|debug'],
    ['APP_ENV', 'prod', 'development|staging|production'],
    ['METRICS_PORT', 'x', 'TCP port from 1 to 65535'],
  ])('rejects %s=%s naming the variable and the expected form', (key, value, expected) => {
    const problems = problemsOf({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(key);
    expect(problems[0]).toContain(expected);
  });

  it('reports every problem at once, one line each', () => {
    const problems = problemsOf({ HUBSPOT_MAX_REQUESTS_PER_10S: 'abc', HUBSPOT_TIER: 'gold', LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(3);
    for (const p of problems) expect(p).not.toContain('\n');
  });

  it('never echoes a secret value in a problem', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://u:hunter2secret@h/db' });
    expect(problems.join()).not.toContain('hunter2secret');
  });

  it('lists the token and the database password as secrets', () => {
    expect(secretsOf({ accessToken: 'pat-xyz', databaseUrl: 'postgres://u:p%40ss@h/db' })).toEqual(['pat-xyz', 'p@ss']);
  });

  it('keeps .env.example in step with the schema', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    expect(example).toBe(renderEnvExample());
    for (const key of Object.keys(SETTINGS)) expect(example).toContain(`${key}=`);
  });
});
