-- The fleet's registry, in its own schema (HUBSPOT_FLEET_SCHEMA, default hubspot_fleet), apart from every
-- portal's data schema. Applied with search_path set to that schema (src/db/migrations.ts).

-- One row per portal. Credentials are never stored in plain text: either a reference the worker resolves
-- (an environment variable's name, a file's path) or the token encrypted with AES-256-GCM, with the id of
-- the key beside the ciphertext so that a key rotation knows what to re-encrypt.
create table portals (
  name text primary key check (name ~ '^[a-z][a-z0-9_]{0,39}$'),
  schema_name text not null unique check (schema_name ~ '^[a-z_][a-z0-9_]{0,62}$'),
  auth text not null check (auth in ('private_app', 'oauth')),
  tier text,
  max_requests_per_10s integer check (max_requests_per_10s > 0),
  daily_limit integer check (daily_limit > 0),
  objects text,
  schedule text,
  -- API origin of this portal when it is not the workers' HUBSPOT_BASE_URL (it serves the token endpoint too).
  base_url text,
  status text not null default 'active' check (status in ('active', 'paused', 'needs_reauth')),
  -- The private app's access token, or the OAuth install's refresh token.
  credential_kind text not null check (credential_kind in ('env', 'file', 'encrypted')),
  credential_ref text,
  credential_ciphertext bytea,
  credential_key_id text,
  -- OAuth: the access token last issued, encrypted, and when it expires (shared by every worker).
  access_ciphertext bytea,
  access_key_id text,
  access_expires_at timestamptz,
  access_lifetime_seconds integer,
  access_refreshed_at timestamptz,
  next_run_at timestamptz,
  status_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((credential_kind = 'encrypted') = (credential_ciphertext is not null and credential_key_id is not null)),
  check ((credential_kind = 'encrypted') = (credential_ref is null)),
  check ((access_ciphertext is null) = (access_key_id is null))
);

-- Live worker processes: a row per process, its heartbeat renewed on a timer. A worker whose heartbeat is
-- older than HUBSPOT_WORKER_HEARTBEAT_SECONDS is dead: its running jobs are failed (and so retried by pg-boss).
create table workers (
  id text primary key,
  host text not null,
  pid integer not null,
  concurrency integer not null,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  state text not null default 'running' check (state in ('running', 'stopping'))
);

-- One row per attempt of a pg-boss job (one job = one portal run): who ran it, how it ended, the portal
-- schema's `runs` id and the rows it loaded. `outcome = 'running'` rows are the claims the reaper checks.
create table portal_jobs (
  id bigserial primary key,
  job_id uuid not null,
  portal text not null references portals (name) on delete cascade,
  worker_id text not null,
  attempt integer not null,
  queued_at timestamptz,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  outcome text not null default 'running'
    check (outcome in ('running', 'succeeded', 'failed', 'stopped', 'budget_exhausted', 'locked', 'needs_reauth', 'lost')),
  run_id bigint,
  rows bigint,
  error text
);
create index portal_jobs_portal on portal_jobs (portal, id desc);
create index portal_jobs_running on portal_jobs (worker_id) where outcome = 'running';
