-- One table per CRM object type, named as the API names them. Ids are int64 (some exceed 2^53), kept as bigint.
-- seen_at is when a full pass or id sweep last saw the id; deleted_at marks records that vanished from the portal (hard deletes), found by the id sweep.
create table contacts (id bigint primary key, properties jsonb not null, created_at timestamptz, updated_at timestamptz,
  archived boolean not null default false, archived_at timestamptz, deleted_at timestamptz, synced_at timestamptz not null default now(),
  seen_at timestamptz not null default now());
create table companies (like contacts including all);
create table deals (like contacts including all);
create table calls (like contacts including all);
create table emails (like contacts including all);
create table meetings (like contacts including all);
create table notes (like contacts including all);
create table tasks (like contacts including all);

create table forms (id text primary key, name text, form_type text, archived boolean not null default false,
  created_at timestamptz, updated_at timestamptz, raw jsonb not null, deleted_at timestamptz, synced_at timestamptz not null default now());

create table form_submissions (form_id text not null, conversion_id text not null, submitted_at timestamptz not null,
  page_url text, contact_id bigint, "values" jsonb not null, synced_at timestamptz not null default now(),
  primary key (form_id, conversion_id));
create index form_submissions_submitted_at on form_submissions (form_id, submitted_at desc);

create table associations (from_type text not null, from_id bigint not null, to_type text not null, to_id bigint not null,
  type_id integer not null, category text not null, label text, synced_at timestamptz not null default now(),
  primary key (from_type, from_id, to_type, to_id, type_id));
create index associations_to on associations (to_type, to_id);

-- A cursor per stream (object type, association pair, form), committed with the rows it covers.
create table sync_state (stream text primary key, cursor jsonb not null, updated_at timestamptz not null default now());

create table runs (id bigserial primary key, run_key text not null unique, started_at timestamptz not null default now(),
  finished_at timestamptz, status text not null default 'running', mode text not null, objects text[] not null,
  host text, pid integer, stats jsonb not null default '{}'::jsonb, error text);
