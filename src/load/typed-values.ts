import { literal, qualified } from '../db/database.js';

/**
 * The typing rules of the typed relations (issue 15): which strings HubSpot sends are a valid number, date,
 * datetime or boolean, and what they mean. They are defined once, here, as patterns written in the subset of
 * regular-expression syntax that JavaScript and Postgres read alike (`[0-9]`, never `\d` or `\s`, whose meaning
 * depends on the Postgres locale; no captures, no look-arounds), plus a few integer checks written twice side by side
 * (`typeValue` for the loader, `typedFunctionsSql` for views and rebuilds). A test feeds both the same strings.
 *
 * A value that does not parse is NULL, never an error: every pattern accepts only strings the Postgres input
 * function of the target type accepts on every supported server (14 and later), and `pg_input_is_valid` (16+) is not
 * used, because it accepts server-dependent forms ('today', '0x1F', '1_000') that would make the same portal type
 * differently on two servers. It is also not faster where it matters: the loader types in JavaScript.
 */

/** How a property's value is typed; each rule has one Postgres type. */
export type TypingRule = 'number' | 'datetime' | 'date' | 'bool' | 'multi' | 'text';

export const SQL_TYPES: Record<TypingRule, string> = {
  number: 'numeric',
  datetime: 'timestamptz',
  date: 'date',
  bool: 'boolean',
  multi: 'text[]',
  text: 'text',
};

/** The SQL function applied to the raw string for each rule (text needs none). */
export const SQL_FUNCTIONS: Record<TypingRule, string | undefined> = {
  number: 'typed_numeric',
  datetime: 'typed_timestamptz',
  date: 'typed_date',
  bool: 'typed_boolean',
  multi: 'typed_text_array',
  text: undefined,
};

/** From a property definition's `type` and `fieldType` (booleancheckbox wins: HubSpot has enumerations of it). */
export function typingRule(type: string | null | undefined, fieldType: string | null | undefined): TypingRule {
  if (fieldType === 'booleancheckbox' || type === 'bool') return 'bool';
  if (type === 'number') return 'number';
  if (type === 'date') return 'date';
  if (type === 'datetime') return 'datetime';
  if (type === 'enumeration' && fieldType === 'checkbox') return 'multi';
  return 'text';
}

/** Spaces, tabs and line breaks around numbers and booleans are ignored (as Postgres does); nothing else is. */
const SPACE = ' \\t\\r\\n';
const SPACE_CLASS = `[${SPACE}]`;

/** A decimal number, optionally with an exponent of at most three digits. NaN, Infinity, hex and `1,5` are not numbers. */
export const NUMBER_PATTERN = `^${SPACE_CLASS}*[+-]?(?:[0-9]+(?:[.][0-9]*)?|[.][0-9]+)(?:[eE][+-]?[0-9]{1,3})?${SPACE_CLASS}*$`;
/** Longer strings are not numbers (the Postgres input limits are far away, and nobody types 1,000 digits). */
export const NUMBER_MAX_LENGTH = 1000;
/** HubSpot stores numbers as doubles: a magnitude of 1e308 or more (e.g. `1e999`) is not a value it can hold. */
export const NUMBER_MAX_EXPONENT = 307;

/** Epoch milliseconds as HubSpot sends datetimes (and older dates): up to 13 digits, 1653 to 2286. */
export const EPOCH_MS_PATTERN = '^-?[0-9]{1,13}$';

/**
 * ISO-8601 as HubSpot sends it: a date, or a date and time with optional seconds, up to six fraction digits (a
 * seventh would be rounded by Postgres, possibly across midnight) and an optional offset. Month, day, hour, minute
 * and second ranges are in the pattern; day-of-month and year limits are checked beside it.
 */
export const ISO_PATTERN =
  '^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])' +
  '(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,6})?)?(?:Z|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)?)?$';
/** Years outside this range are not dates a portal holds; inside it, no offset can push a value out of Postgres' or JavaScript's formats. */
export const MIN_YEAR = 1001;
export const MAX_YEAR = 9998;

export const TRUE_WORDS = ['true', 'yes', '1'] as const;
export const FALSE_WORDS = ['false', 'no', '0'] as const;

const numberRe = new RegExp(NUMBER_PATTERN);
const epochRe = new RegExp(EPOCH_MS_PATTERN);
const isoRe = new RegExp(ISO_PATTERN);
const trimSpace = (s: string) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

/**
 * The value to write into a typed column (Postgres text input for that type), or null where the string is not a
 * value of the type. The caller's COPY encoding does the escaping.
 */
export function typeValue(rule: TypingRule, value: unknown): string | null {
  const raw = rawText(value);
  if (raw === null) return null;
  switch (rule) {
    case 'text':
      return raw;
    case 'number':
      return typeNumber(raw);
    case 'bool':
      return typeBoolean(raw);
    case 'datetime':
      return typeDatetime(raw);
    case 'date':
      return typeDate(raw);
    case 'multi':
      return typeMulti(raw);
  }
}

/** What `properties ->> 'name'` gives for a JSON value: HubSpot sends strings, but a number or object must type alike. */
function rawText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function typeNumber(raw: string): string | null {
  if (raw.length > NUMBER_MAX_LENGTH || !numberRe.test(raw)) return null;
  const t = trimSpace(raw);
  return decimalExponent(t) > NUMBER_MAX_EXPONENT ? null : t;
}

/** floor(log10(|x|)) of a decimal string, exactly (no floating point); -Infinity for zero. */
export function decimalExponent(t: string): number {
  const m = /^[+-]?([0-9]*)(?:[.]([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(t)!;
  const whole = m[1].replace(/^0+/, '');
  const fraction = m[2] ?? '';
  const exp = Number(m[3] ?? '0');
  if (whole.length > 0) return whole.length - 1 + exp;
  const zeros = /^0*/.exec(fraction)![0].length;
  if (zeros === fraction.length) return -Infinity;
  return -(zeros + 1) + exp;
}

function typeBoolean(raw: string): string | null {
  const t = trimSpace(raw).toLowerCase();
  if ((TRUE_WORDS as readonly string[]).includes(t)) return 't';
  if ((FALSE_WORDS as readonly string[]).includes(t)) return 'f';
  return null;
}

/** 28 to 31; written as integer arithmetic so the SQL twin (daysInMonthSql) can never raise an error. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return 30 + ((month + Math.floor(month / 8)) % 2);
}

/** The instant of a valid datetime string, in epoch milliseconds, with the string Postgres should read. */
function parseDatetime(raw: string): { ms: number; text: string } | null {
  if (epochRe.test(raw)) {
    const ms = Number(raw);
    return { ms, text: new Date(ms).toISOString() };
  }
  if (!isoRe.test(raw)) return null;
  const year = Number(raw.slice(0, 4));
  const month = Number(raw.slice(5, 7));
  const day = Number(raw.slice(8, 10));
  if (year < MIN_YEAR || year > MAX_YEAR || day > daysInMonth(year, month)) return null;
  const text = isoWithOffset(raw);
  const m = /^.{10}[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.]([0-9]+))?)?(Z|([+-])([0-9]{2}):?([0-9]{2})?)$/.exec(text);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  if (m) {
    const offsetMin = m[5] === 'Z' ? 0 : (m[6] === '-' ? -1 : 1) * (Number(m[7]) * 60 + Number(m[8] ?? '0'));
    const micros = Number(((m[4] ?? '') + '000000').slice(0, 6));
    d.setUTCHours(Number(m[1]), Number(m[2]) - offsetMin, Number(m[3] ?? '0'), Math.floor(micros / 1000));
  }
  return { ms: d.getTime(), text };
}

/** No offset means UTC (results must not depend on the session's TimeZone); a date alone is midnight UTC. */
function isoWithOffset(t: string): string {
  if (t.length === 10) return `${t}T00:00:00Z`;
  const rest = t.slice(10);
  return rest.endsWith('Z') || rest.includes('+') || rest.includes('-') ? t : `${t}Z`;
}

function typeDatetime(raw: string): string | null {
  return parseDatetime(raw)?.text ?? null;
}

/** A date, or the UTC date of a datetime or epoch-milliseconds string (HubSpot's dates are midnight UTC). */
function typeDate(raw: string): string | null {
  const parsed = parseDatetime(raw);
  return parsed ? new Date(parsed.ms).toISOString().slice(0, 10) : null;
}

/** `a;b;;c` -> {a,b,c}: empty parts dropped, nothing else changed; no parts at all is NULL. */
function typeMulti(raw: string): string | null {
  const parts = raw.split(';').filter((p) => p !== '');
  if (parts.length === 0) return null;
  return `{${parts.map((p) => `"${p.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

const SQL_SPACE = `E'${SPACE}'`;

/** Day count of `month` in `year` for integer SQL expressions y and m (the twin of daysInMonth). */
function daysInMonthSql(y: string, m: string): string {
  return `case when ${m} = 2 then case when (${y} % 4 = 0 and ${y} % 100 <> 0) or ${y} % 400 = 0 then 29 else 28 end else 30 + ((${m} + ${m} / 8) % 2) end`;
}

/**
 * The typing functions as SQL, created in the tool's schema by the typed relations' builder. They are plain SQL
 * functions so the planner inlines them into the queries on the views (no call overhead). Each CASE tests in order,
 * so a cast is reached only by a string its pattern has accepted. The datetime ones are STABLE, not IMMUTABLE: the
 * text-to-timestamptz cast is, and a function declared more immutable than its body is not inlined. Their result
 * never depends on the session (every string they cast carries an explicit offset).
 */
export function typedFunctionsSql(schema: string): string {
  const fn = (name: string) => qualified(schema, name);
  const t = `btrim(v, ${SQL_SPACE})`;
  const y = 'substr(v, 1, 4)::int';
  const mo = 'substr(v, 6, 2)::int';
  const epoch = `to_timestamp(v::bigint / 1000) + (v::bigint % 1000) * interval '1 millisecond'`;
  const withOffset = `case when length(v) = 10 then v || 'T00:00:00Z' when right(v, 1) = 'Z' or strpos(substr(v, 11), '+') > 0 or strpos(substr(v, 11), '-') > 0 then v else v || 'Z' end`;
  return `
create or replace function ${fn('typed_numeric')}(v text) returns numeric language sql immutable parallel safe as $fn$
  select case when length(v) > ${NUMBER_MAX_LENGTH} or v !~ ${literal(NUMBER_PATTERN)} then null
    when abs(${t}::numeric) >= 1e${NUMBER_MAX_EXPONENT + 1} then null
    else ${t}::numeric end
$fn$;
create or replace function ${fn('typed_boolean')}(v text) returns boolean language sql immutable parallel safe as $fn$
  select case when lower(${t}) in (${TRUE_WORDS.map((w) => literal(w)).join(', ')}) then true
    when lower(${t}) in (${FALSE_WORDS.map((w) => literal(w)).join(', ')}) then false end
$fn$;
create or replace function ${fn('typed_timestamptz')}(v text) returns timestamptz language sql stable parallel safe as $fn$
  select case when v ~ ${literal(EPOCH_MS_PATTERN)} then ${epoch}
    when v !~ ${literal(ISO_PATTERN)} then null
    when ${y} < ${MIN_YEAR} or ${y} > ${MAX_YEAR} then null
    when substr(v, 9, 2)::int > ${daysInMonthSql(y, mo)} then null
    else (${withOffset})::timestamptz end
$fn$;
create or replace function ${fn('typed_date')}(v text) returns date language sql stable parallel safe as $fn$
  select (${fn('typed_timestamptz')}(v) at time zone 'UTC')::date
$fn$;
create or replace function ${fn('typed_text_array')}(v text) returns text[] language sql immutable parallel safe as $fn$
  select nullif(array_remove(string_to_array(v, ';'), ''), '{}'::text[])
$fn$;
`;
}
