-- Records whose associations must be (re)read, committed in the same transaction as the records
-- themselves, and drained by the association fetcher in the same transaction as the associations it writes.
-- A crash between the two therefore loses nothing and re-reads nothing already committed.
create table association_queue (from_type text not null, to_type text not null, from_id bigint not null,
  queued_at timestamptz not null default now(), primary key (from_type, to_type, from_id));
