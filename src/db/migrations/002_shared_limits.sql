-- Named limits shared by every process using this database (src/limits/pg-*.ts, `hubspot-extract limits`).
--
-- Occupancy is never stored: it is derived from the live rows of limit_leases, so a count cannot drift
-- from the holders it describes. A lease row counts against its limit:
--   * while held (counted_until is null): until expires_at + window_ms (window_ms 0 for slot pools). The
--     holder renews expires_at; a crashed holder stops renewing and its slots come back on their own.
--   * once released (counted_until set, decays false): until counted_until. A rolling window's slot
--     counts until completion + window_ms (the server counted the request at some moment between
--     acquisition and completion), a rate-mode window slot until acquisition + window_ms; a plain slot
--     pool's row is deleted on release.
--   * rate slots of a decaying pool (decays true): the pool drains at slot_decay_per_second in FIFO
--     order, so each row is given the moment the drain reaches its end (counted_until, chained after the
--     previous row) and occupies least(slots, seconds left * decay) until then.
-- All times are the database's clock (clock_timestamp()), the one clock every process shares.

create table limits (
  name text primary key check (name <> '' and btrim(name) <> '' and name !~ '[/%&<>]'),
  "limit" integer not null check ("limit" >= 0),
  slot_decay_per_second double precision not null default 0 check (slot_decay_per_second >= 0),
  window_ms integer check (window_ms > 0),
  active boolean not null default true,
  tags text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (window_ms is null or slot_decay_per_second = 0)
);

create table limit_leases (
  id bigserial primary key,
  limit_name text not null references limits (name) on delete cascade,
  -- host, pid and a random suffix, readable in `limits inspect`
  holder text not null,
  slots integer not null check (slots > 0),
  decays boolean not null default false,
  acquired_at timestamptz not null,
  expires_at timestamptz not null,
  counted_until timestamptz
);
create index limit_leases_by_limit on limit_leases (limit_name);
create index limit_leases_held_by_holder on limit_leases (holder) where counted_until is null;

-- Fairness: a caller that cannot be served takes a ticket; tickets ahead of it reserve their slots, so
-- later small requests cannot starve a large one. Tickets are leased like slots (a crashed waiter's expire).
create sequence limit_waiter_tickets;
create table limit_waiters (
  ticket bigint not null,
  limit_name text not null references limits (name) on delete cascade,
  holder text not null,
  slots integer not null check (slots > 0),
  enqueued_at timestamptz not null,
  expires_at timestamptz not null,
  primary key (limit_name, ticket)
);
create index limit_waiters_by_holder on limit_waiters (holder);

-- Recent denials for `limits inspect`; each limit keeps only its latest 50.
create table limit_denials (
  id bigserial primary key,
  limit_name text not null references limits (name) on delete cascade,
  holder text not null,
  slots integer not null,
  reason text not null,
  at timestamptz not null default clock_timestamp()
);
create index limit_denials_recent on limit_denials (limit_name, id desc);

-- Slots of one limit counted at `at` (the rule above). Rows that no longer count are expected to be gone.
create function limit_occupancy(p_name text, p_decay double precision, at timestamptz)
returns double precision language sql stable set search_path from current as $$
  select coalesce(sum(case when decays then least(slots::float8, greatest(0, extract(epoch from counted_until - at)) * p_decay)
                           else slots::float8 end), 0)
  from limit_leases where limit_name = p_name
$$;

-- Keeps long windows (say a daily budget) cheap: once a limit has many rows no longer held, they are
-- merged into at most ~256 rows per window, each counted until the end of its 1/256-window bucket
-- (rounded up: a slot may count a little longer, never shorter). A decaying pool's rate rows merge
-- into one row ending where the chain ends, which counts exactly what they did while the chain is
-- unbroken and more (never less) after a gap.
create function limit_compact(p_name text, p_window_ms double precision) returns void
language plpgsql set search_path from current as $$
declare
  g double precision := greatest(1, p_window_ms / 256);
begin
  with gone as (
    delete from limit_leases where limit_name = p_name and counted_until is not null
    returning slots, decays, counted_until, acquired_at),
  bucketed as (
    select slots, decays, acquired_at, counted_until,
      case when decays then 0 else ceil(extract(epoch from counted_until) * 1000 / g) end as bucket
    from gone)
  insert into limit_leases (limit_name, holder, slots, decays, acquired_at, expires_at, counted_until)
  select p_name, '(compacted released slots)', sum(slots)::integer, decays, min(acquired_at), min(acquired_at),
    case when decays then max(counted_until) else to_timestamp((bucket * g + 1) / 1000) end
  from bucketed group by decays, bucket;
end
$$;

-- Acquires `p_slots[i]` slots on every limit in `p_names` (sorted, distinct) for the longest prefix of
-- requests that fits, all names or none per request, in one call: the limit rows are locked in name
-- order (no deadlock between callers naming the same limits) for microseconds, not a round trip.
-- status: granted (all requests) | waiting (a prefix, maybe empty, was granted; ticket holds the place of
-- the first one left) | capacity (that request exceeds blocked_name's limit) | unknown (blocked_name does
-- not exist) | misconfigured (rate mode on a pool that never decays).
create function limit_acquire(
  p_names text[], p_holder text, p_slots integer[], p_rate boolean, p_lease_ms integer, p_ticket bigint, p_record_denial boolean,
  out status text, out lease_ids bigint[], out granted integer, out ticket bigint, out retry_ms double precision,
  out blocked_name text, out limit_value integer, out in_use double precision, out retry_exact boolean)
language plpgsql set search_path from current as $$
#variable_conflict use_column
declare
  nk integer := coalesce(array_length(p_names, 1), 0);
  nreq integer := coalesce(array_length(p_slots, 1), 0);
  now_ts timestamptz;
  l limits%rowtype;
  lims integer[] := '{}';
  decay double precision[] := '{}';
  wins interval[] := '{}';
  act boolean[] := '{}';
  used double precision[] := '{}';
  ahead double precision[] := '{}';
  chain timestamptz[] := '{}';
  scalar_used double precision;
  scalar_ahead double precision;
  scalar_chain timestamptz;
  k integer;
  i integer;
  n integer;
  fits boolean;
  new_id bigint;
  need double precision;
  wait_k double precision;
  decay_wait double precision;
  exact_k boolean;
  released_rows integer;
  my_ticket bigint := p_ticket;
begin
  lease_ids := '{}';
  granted := 0;
  ticket := p_ticket;
  for k in 1 .. nk loop
    select * into l from limits where name = p_names[k] for no key update;
    if not found then
      status := 'unknown';
      blocked_name := p_names[k];
      return;
    end if;
    if p_rate and l.window_ms is null and l.slot_decay_per_second <= 0 then
      status := 'misconfigured';
      blocked_name := p_names[k];
      return;
    end if;
    lims := lims || l."limit";
    decay := decay || l.slot_decay_per_second;
    wins := wins || (coalesce(l.window_ms, 0) * interval '1 millisecond');
    act := act || l.active;
  end loop;

  -- Taken after the locks: every lease committed by a previous holder of the locks is visible now.
  now_ts := clock_timestamp();
  for k in 1 .. nk loop
    delete from limit_leases
      where limit_name = p_names[k] and (case when counted_until is null then expires_at + wins[k] else counted_until end) <= now_ts;
    delete from limit_waiters where limit_name = p_names[k] and expires_at <= now_ts;
    select count(*) into released_rows from limit_leases where limit_name = p_names[k] and counted_until is not null;
    if released_rows > 1024 then
      perform limit_compact(p_names[k], extract(epoch from wins[k]) * 1000);
    end if;
    scalar_used := limit_occupancy(p_names[k], decay[k], now_ts);
    select max(counted_until) into scalar_chain from limit_leases where limit_name = p_names[k] and decays;
    select coalesce(sum(slots), 0) into scalar_ahead from limit_waiters w
      where w.limit_name = p_names[k] and (p_ticket is null or w.ticket < p_ticket);
    used := used || scalar_used;
    ahead := ahead || scalar_ahead;
    chain := chain || scalar_chain;
  end loop;

  <<requests>>
  for i in 1 .. nreq loop
    n := p_slots[i];
    fits := true;
    for k in 1 .. nk loop
      if act[k] and n > lims[k] then
        status := 'capacity';
        blocked_name := p_names[k];
        exit requests;
      end if;
      if act[k] and used[k] + ahead[k] + n > lims[k] + 1e-9 then
        fits := false;
        blocked_name := p_names[k];
      end if;
    end loop;
    exit requests when not fits;
    for k in 1 .. nk loop
      if p_rate and decay[k] > 0 then
        chain[k] := greatest(coalesce(chain[k], now_ts), now_ts) + make_interval(secs => n / decay[k]);
        insert into limit_leases (limit_name, holder, slots, decays, acquired_at, expires_at, counted_until)
          values (p_names[k], p_holder, n, true, now_ts, now_ts, chain[k]) returning id into new_id;
      elsif p_rate then
        insert into limit_leases (limit_name, holder, slots, acquired_at, expires_at, counted_until)
          values (p_names[k], p_holder, n, now_ts, now_ts, now_ts + wins[k]) returning id into new_id;
      else
        insert into limit_leases (limit_name, holder, slots, acquired_at, expires_at)
          values (p_names[k], p_holder, n, now_ts, now_ts + p_lease_ms * interval '1 millisecond') returning id into new_id;
      end if;
      lease_ids := lease_ids || new_id;
      used[k] := used[k] + n;
    end loop;
    granted := i;
  end loop;

  if nk > 0 then
    limit_value := lims[1];
    in_use := used[1];
  end if;
  if status = 'capacity' then
    return;
  end if;
  if granted = nreq then
    status := 'granted';
    if p_ticket is not null then
      delete from limit_waiters w where w.ticket = p_ticket;
      ticket := null;
    end if;
    return;
  end if;

  status := 'waiting';
  n := p_slots[granted + 1];
  -- A caller served this time goes to the back of the line with the rest of its queue, so one busy
  -- process cannot keep the front place for ever (the line is round-robin between processes).
  if my_ticket is not null and granted > 0 then
    delete from limit_waiters w where w.ticket = my_ticket;
    my_ticket := null;
  end if;
  if my_ticket is null then
    my_ticket := nextval('limit_waiter_tickets');
  end if;
  ticket := my_ticket;
  for k in 1 .. nk loop
    insert into limit_waiters (ticket, limit_name, holder, slots, enqueued_at, expires_at)
      values (my_ticket, p_names[k], p_holder, n, now_ts, now_ts + p_lease_ms * interval '1 millisecond')
      on conflict (limit_name, ticket) do update set slots = excluded.slots, expires_at = excluded.expires_at;
  end loop;
  if p_record_denial then
    insert into limit_denials (limit_name, holder, slots, reason) values (blocked_name, p_holder, n, 'waiting');
    delete from limit_denials d where d.limit_name = blocked_name and d.id < (
      select min(x.id) from (select r.id from limit_denials r where r.limit_name = blocked_name order by r.id desc limit 50) x);
  end if;

  -- When to look again: the moment enough counted slots end for everyone ahead and this request, on
  -- every limit that blocks it (assuming no new arrivals, which the tickets hold back). Held slots are
  -- assumed to end at their lease; a release earlier than that sends a notification.
  -- retry_exact: that moment is already fixed (released or decaying slots), so a release notification
  -- cannot bring it closer and the waiter may ignore it.
  retry_exact := true;
  for k in 1 .. nk loop
    continue when not act[k];
    wait_k := null;
    exact_k := false;
    need := used[k] + ahead[k] + n - lims[k];
    continue when need <= 1e-9;
    select extract(epoch from y.t - now_ts) * 1000, y.fixed into wait_k, exact_k from (
      select x.t, x.fixed, sum(x.s) over (order by x.t rows between unbounded preceding and current row) as freed from (
        select coalesce(r.counted_until, r.expires_at + wins[k]) as t, r.slots::float8 as s, r.counted_until is not null as fixed
        from limit_leases r where r.limit_name = p_names[k] and not r.decays) x) y
      where y.freed >= need - 1e-9 order by y.t limit 1;
    if decay[k] > 0 then
      decay_wait := need / decay[k] * 1000;
      if wait_k is null or decay_wait < wait_k then
        wait_k := decay_wait;
        exact_k := true;
      end if;
    end if;
    if wait_k is null then
      retry_ms := null;
      retry_exact := false;
      exit;
    end if;
    retry_ms := greatest(coalesce(retry_ms, 0), wait_k);
    retry_exact := retry_exact and coalesce(exact_k, false);
  end loop;
end
$$;

-- Gives back held leases: a rolling window's slot stays counted until completion + window, a slot pool's
-- is deleted. `p_ago_ms[i]` is how long before this call lease i's work completed (measured by the
-- releasing process while the release waited for a connection), so queueing does not cost window time.
-- Processes waiting on an affected limit are woken through NOTIFY (only when someone waits).
create function limit_release(p_ids bigint[], p_ago_ms double precision[]) returns void
language plpgsql set search_path from current as $$
declare
  r record;
  now_ts timestamptz := clock_timestamp();
begin
  for r in
    with done as (
      select d.id, greatest(0, coalesce(d.ago, 0)) * interval '1 millisecond' as ago
      from unnest(p_ids, p_ago_ms) as d (id, ago)),
    released as (
      update limit_leases le set counted_until = now_ts - done.ago + coalesce(m.window_ms, 0) * interval '1 millisecond'
      from done, limits m
      where le.id = done.id and le.counted_until is null and m.name = le.limit_name
      returning le.limit_name)
    select distinct limit_name from released
  loop
    if exists (select 1 from limit_waiters w where w.limit_name = r.limit_name) then
      perform pg_notify('hubspot_extract_limits', 'r' || current_schema() || '/' || r.limit_name);
    end if;
  end loop;
  delete from limit_leases where id = any (p_ids) and counted_until <= now_ts;
end
$$;

-- Each lease with the slots it counts right now, by the rule above (for ls / inspect / usage).
create view limit_lease_counts as
select le.*,
  case
    when le.decays then least(le.slots::float8, greatest(0, extract(epoch from le.counted_until - statement_timestamp())) * m.slot_decay_per_second)
    when coalesce(le.counted_until, le.expires_at + coalesce(m.window_ms, 0) * interval '1 millisecond') > statement_timestamp() then le.slots::float8
    else 0
  end as counted,
  le.counted_until is null and le.expires_at > statement_timestamp() as held
from limit_leases le join limits m on m.name = le.limit_name;
