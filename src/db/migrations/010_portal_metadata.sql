-- The portal's metadata (issue 14 fills these; the typed relations of issue 15 read them). `object_type` is the
-- same value in every table below: the name the object table is extracted under (`contacts`, `deals`, `line_items`,
-- a custom object's name as listed in `object_types.name`), so one join key serves definitions, pipelines and history.

-- Every extracted CRM type: `0-1` contacts ... `2-123456` custom objects, and the table its records live in.
create table object_types (object_type_id text primary key, name text not null unique, table_name text not null unique,
  custom boolean not null default false);

-- Property definitions as the properties API returns them (raw keeps every field, e.g. referencedObjectType,
-- externalOptions, modificationMetadata). typed_column / label_column / omitted_reason are written by the typed
-- relations' builder, never by the extractor: the column each property got in `<table>_typed` (names longer than
-- 63 bytes or colliding are shortened deterministically), its `__label`/`__owner` companion, and why a property has no
-- column (for example the 1,600-column limit).
create table property_definitions (object_type text not null, name text not null, label text, type text not null,
  field_type text, group_name text, description text, options jsonb not null default '[]'::jsonb,
  calculated boolean not null default false, hubspot_defined boolean not null default false,
  hidden boolean not null default false, archived boolean not null default false, raw jsonb not null default '{}'::jsonb,
  typed_column text, label_column text, omitted_reason text,
  primary key (object_type, name));

-- One row per option of an enumeration; guarded so that a malformed option (a value HubSpot never sends) reads
-- as NULL rather than failing the query.
create view property_options as
select d.object_type, d.name as property, o.position::int as position, o.option ->> 'value' as value,
  o.option ->> 'label' as label, o.option ->> 'description' as description,
  case when jsonb_typeof(o.option -> 'displayOrder') = 'number' then (o.option ->> 'displayOrder')::numeric end as display_order,
  coalesce(case when jsonb_typeof(o.option -> 'hidden') = 'boolean' then (o.option ->> 'hidden')::boolean end, false) as hidden
from property_definitions d
cross join lateral jsonb_array_elements(case when jsonb_typeof(d.options) = 'array' then d.options else '[]'::jsonb end)
  with ordinality as o(option, position);

-- Owners, archived ones too: old records still point at them. Ids are HubSpot's integers, bigint like every id here.
create table owners (id bigint primary key, user_id bigint, email text, first_name text, last_name text,
  teams jsonb not null default '[]'::jsonb, archived boolean not null default false, created_at timestamptz,
  updated_at timestamptz, raw jsonb not null default '{}'::jsonb);
create index owners_user_id on owners (user_id);

-- Pipelines and their stages per object type. Stage ids are unique only within a pipeline (two pipelines may both
-- have a stage `1`), hence the three-part key.
create table pipelines (object_type text not null, id text not null, label text, display_order integer,
  archived boolean not null default false, raw jsonb not null default '{}'::jsonb, primary key (object_type, id));
create table pipeline_stages (object_type text not null, pipeline_id text not null, id text not null, label text,
  display_order integer, metadata jsonb not null default '{}'::jsonb, archived boolean not null default false,
  primary key (object_type, pipeline_id, id),
  foreign key (object_type, pipeline_id) references pipelines (object_type, id) on delete cascade);
create index pipeline_stages_stage on pipeline_stages (object_type, id);

-- Every change HubSpot keeps for the properties asked for. A rerun reads the same changes again: the unique key
-- (with the value's hash, since values can be longer than an index entry may be) makes `on conflict do nothing`
-- skip them.
create table property_history (object_type text not null, object_id bigint not null, property text not null,
  value text, changed_at timestamptz not null, source_type text, source_id text, updated_by_user_id bigint);
create unique index property_history_change on property_history
  (object_type, object_id, property, changed_at, md5(coalesce(value, '')));
create index property_history_property on property_history (object_type, property, changed_at);

-- The typed relations built for each object table (src/load/typed-relations.ts): the mode they were built in and
-- the column plan the loader's hook types rows with. `version` is a random uuid per rebuild (never reused, even by a
-- rebuild that was rolled back, nor by another database), so a process that cached a plan knows when to read it
-- again. `stale` says why the typed data may lag the records (the next rebuild refills it).
create table typed_relations (table_name text primary key, object_type text not null, relation text not null,
  data_table text, mode text not null, columns jsonb not null, version uuid not null,
  stale text, built_at timestamptz not null default now());
