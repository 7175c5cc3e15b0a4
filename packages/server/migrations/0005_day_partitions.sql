-- 0005_day_partitions: the daily settlement writes its rows into tables of its
-- own (docs/scaling.md). Appending a day's 2.7 M postings to the ledger's big
-- indexes touched every leaf page of the member and account indexes each day
-- (51.8 s of a 122.7 s day at 1,000,000 members); rewriting the release
-- progress of 2 M open orders in the wide order_rewards rows took 23.2 s.
-- Now the settlement COPYs into new, bare tables, builds their indexes once
-- from sorted input, and attaches them as partitions.

-- 1. The ledger, partitioned by batch: 0 holds every live append (the API,
--    jobs, openNextDay); YYYYMMDD holds what that business day's settlement
--    wrote. Identity columns cannot be partitioned on PostgreSQL 15, so ids
--    come from plain sequences that continue where the identities stood.
--    Uniqueness of ids is per partition (a unique index each); the sequences
--    make them unique across partitions.
alter table ledger_transactions rename to ledger_transactions_live;
alter table ledger_transactions_live alter column id drop identity;
create sequence ledger_transactions_id_seq;
select setval('ledger_transactions_id_seq', coalesce((select max(id) from ledger_transactions_live), 0) + 1, false);
alter table ledger_transactions_live
  add column batch integer not null default 0,
  add constraint ledger_transactions_live_batch check (batch = 0);

create table ledger_transactions (
  id bigint not null default nextval('ledger_transactions_id_seq'),
  business_day date not null,
  kind text not null,
  ref text not null,
  memo text,
  created_at timestamptz not null,
  batch integer not null default 0
) partition by list (batch);
alter sequence ledger_transactions_id_seq owned by ledger_transactions.id;
alter table ledger_transactions attach partition ledger_transactions_live for values in (0);

alter table ledger_postings rename to ledger_postings_live;
alter table ledger_postings_live alter column id drop identity;
create sequence ledger_postings_id_seq;
select setval('ledger_postings_id_seq', coalesce((select max(id) from ledger_postings_live), 0) + 1, false);
alter table ledger_postings_live
  add column batch integer not null default 0,
  add constraint ledger_postings_live_batch check (batch = 0);
drop trigger ledger_postings_transaction_check on ledger_postings_live;

create table ledger_postings (
  id bigint not null default nextval('ledger_postings_id_seq'),
  transaction_id bigint not null,
  account text not null,
  asset text not null,
  amount numeric(30, 6) not null,
  member_id bigint,
  batch integer not null default 0,
  constraint ledger_postings_asset_check
    check (asset in ('cny', 'points', 'equity', 'stable', 'quota', 'exitQuota', 'weight')),
  constraint ledger_postings_amount_check check (amount <> 0)
) partition by list (batch);
alter sequence ledger_postings_id_seq owned by ledger_postings.id;
alter table ledger_postings attach partition ledger_postings_live for values in (0);

-- Append-only on the whole table (statements naming the parent) and, below, on
-- every partition (statements naming one partition).
create trigger ledger_transactions_append_only before update or delete or truncate on ledger_transactions
  for each statement execute function jifen_append_only();
create trigger ledger_postings_append_only before update or delete or truncate on ledger_postings
  for each statement execute function jifen_append_only();
-- 0004's set-based check that postings refer to a transaction, for every
-- statement inserting through the parent (the live appends).
create trigger ledger_postings_transaction_check after insert on ledger_postings
  referencing new table as new_postings
  for each statement execute function jifen_postings_have_transactions();

-- A day's tables are filled on a connection of their own, committed, and then
-- attached by the day's transaction (docs/server.md, "Daily settlement"), so
-- a crash between the two leaves bare tables that are not part of the ledger.
-- This creates the bare table `name` shaped like `parent`, with the partition
-- constraint `key = value` already in place (so attaching it needs no scan),
-- after dropping a leftover of that name (never a table that is already a
-- partition).
create function jifen_bare_partition(parent text, name text, key text, value text)
returns void language plpgsql as $$
begin
  if exists (
    select 1 from pg_class c
    where c.relname = name and c.relnamespace = current_schema()::regnamespace and not c.relispartition
  ) then
    execute format('drop table %I', name);
  end if;
  execute format(
    'create table %I (like %I including defaults including constraints);
     alter table %I alter column %I set default %L, add constraint %I check (%I = %L);',
    name, parent, name, key, value, name || '_' || key, key, value);
end;
$$;

-- A settlement's two bare tables for business day `batch` (YYYYMMDD).
create function jifen_ledger_day_create(batch integer) returns void language plpgsql as $$
begin
  perform jifen_bare_partition('ledger_transactions', 'ledger_transactions_d' || batch, 'batch', batch::text);
  perform jifen_bare_partition('ledger_postings', 'ledger_postings_d' || batch, 'batch', batch::text);
end;
$$;

-- Builds the day tables' indexes (those of the live partitions, 0001, but no
-- index on a posting's own id, which nothing looks up — the member index
-- orders a history — and the account index only over platform accounts) and
-- makes them append-only.
create function jifen_ledger_day_index(batch integer) returns void language plpgsql as $$
declare
  t text := 'ledger_transactions_d' || batch;
  p text := 'ledger_postings_d' || batch;
begin
  execute format('create unique index %I on %I (id)', t || '_pkey', t);
  execute format('create index %I on %I (kind, ref)', t || '_ref_idx', t);
  execute format('create index %I on %I (transaction_id)', p || '_tx_idx', p);
  execute format('create index %I on %I (member_id, asset, id) where member_id is not null', p || '_member_idx', p);
  -- A member's postings are found by member_id (the member index); by account
  -- only the platform's, so a day's account index holds just those.
  execute format('create index %I on %I (account, asset, id) where member_id is null', p || '_account_idx', p);
  execute format(
    'create trigger append_only before update or delete or truncate on %I
       for each statement execute function jifen_append_only()', t);
  execute format(
    'create trigger append_only before update or delete or truncate on %I
       for each statement execute function jifen_append_only()', p);
end;
$$;

-- Attaches them: from here on they are the ledger's rows of that day.
create function jifen_ledger_day_attach(batch integer) returns void language plpgsql as $$
begin
  execute format('alter table ledger_transactions attach partition %I for values in (%s)',
    'ledger_transactions_d' || batch, batch);
  execute format('alter table ledger_postings attach partition %I for values in (%s)',
    'ledger_postings_d' || batch, batch);
end;
$$;

-- 2. The release plan's per-order progress, one partition per business day:
--    the rows of day D are the open orders (remaining > 0) as day D opened,
--    plus those made eligible during D; a refund deletes its order's row. The
--    settlement of D reads D's rows and writes D + 1's as a new partition;
--    released so far is the order's gift minus its remaining. Days without a
--    partition of their own (the first day of a new database) live in the
--    default partition.
create table release_progress (
  day date not null,
  order_id bigint not null,
  member_id bigint not null,
  seq bigint not null,
  base numeric(30, 6) not null,
  remaining numeric(30, 6) not null,
  constraint release_progress_remaining_check check (remaining > 0)
) partition by list (day);
create table release_progress_default partition of release_progress default;
create unique index release_progress_default_key on release_progress_default (day, order_id);


-- A settlement's bare progress table for `day` (the day it opens), and its index.
create function jifen_release_day_create(day date) returns void language plpgsql as $$
begin
  perform jifen_bare_partition('release_progress', 'release_progress_d' || to_char(day, 'YYYYMMDD'), 'day', day::text);
end;
$$;

create function jifen_release_day_index(day date) returns void language plpgsql as $$
declare
  t text := 'release_progress_d' || to_char(day, 'YYYYMMDD');
begin
  execute format('create unique index %I on %I (order_id)', t || '_key', t);
end;
$$;

-- Attaches it (the default partition is checked for rows of that day: it
-- holds none but the first day's) and drops the partitions older than
-- `keep_from` (the progress is a working state; the ledger keeps what was
-- released).
create function jifen_release_day_attach(day date, keep_from date) returns void language plpgsql as $$
declare
  old record;
begin
  execute format('alter table release_progress attach partition %I for values in (%L)',
    'release_progress_d' || to_char(day, 'YYYYMMDD'), day);
  for old in
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'release_progress'::regclass and c.relname ~ '^release_progress_d[0-9]{8}$'
      and c.relname < 'release_progress_d' || to_char(keep_from, 'YYYYMMDD')
  loop
    execute format('drop table %I', old.relname);
  end loop;
  delete from release_progress_default where release_progress_default.day < keep_from;
end;
$$;

-- The open orders' progress so far becomes the open day's partition.
do $$
declare
  open date := (select open_day from reward_clock where id = 1);
begin
  if open is not null then
    perform jifen_release_day_create(open);
    execute format(
      'insert into %I (order_id, member_id, seq, base, remaining)
       select order_id, member_id, seq, release_base, release_remaining from order_rewards
       where release_remaining > 0 and reversed_on is null order by seq',
      'release_progress_d' || to_char(open, 'YYYYMMDD'));
    perform jifen_release_day_index(open);
    perform jifen_release_day_attach(open, open);
  end if;
end;
$$;

alter table order_rewards drop column release_remaining, drop column release_released;

-- 3. Opening a day makes the paid orders due that day reward-eligible. Orders
--    due on or before the open day were made eligible when paid (the reward
--    hooks), so only the day's own are looked at, by this index, instead of an
--    anti-join over every paid order (3.7 s at 2.5 M orders).
create index orders_due_idx on orders (eligible_day) where status = 'paid';
