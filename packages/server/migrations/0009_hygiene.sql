-- 0009_hygiene: the schema says what it holds, and allows only what is written.
--
-- 1. Every trigger's name says the table it guards. 0001's append-only triggers
--    stayed on the live partitions when 0005 renamed the tables (so
--    "ledger_transactions_append_only" guarded ledger_transactions_live), and
--    0005 named every day partition's trigger plain "append_only".
alter trigger ledger_transactions_append_only on ledger_transactions_live
  rename to ledger_transactions_live_append_only;
alter trigger ledger_postings_append_only on ledger_postings_live
  rename to ledger_postings_live_append_only;

do $$
declare
  t record;
begin
  for t in
    select c.relname from pg_trigger g join pg_class c on c.oid = g.tgrelid
    where not g.tgisinternal and g.tgname = 'append_only'
      and c.relnamespace = current_schema()::regnamespace
  loop
    execute format('alter trigger append_only on %I rename to %I', t.relname, t.relname || '_append_only');
  end loop;
end;
$$;

-- The day tables' indexes and triggers (0005), now with triggers named after their table.
create or replace function jifen_ledger_day_index(batch integer) returns void language plpgsql as $$
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
    'create trigger %I before update or delete or truncate on %I
       for each statement execute function jifen_append_only()', t || '_append_only', t);
  execute format(
    'create trigger %I before update or delete or truncate on %I
       for each statement execute function jifen_append_only()', p || '_append_only', p);
end;
$$;

-- 2. No fill factor for columns that are gone. 0004 left half of each
--    order_rewards page free for the daily update of release_remaining and
--    release_released; 0005 moved that progress to release_progress and dropped
--    both columns, so order_rewards is no longer rewritten daily. (balances
--    keeps its fill factor: the settlement still updates most balance rows
--    every day.)
alter table order_rewards reset (fillfactor);

-- 3. No status that nothing writes. Members are never disabled (no code
--    writes 'disabled'); a settlement run is inserted 'running' (or 'done' or
--    'failed'), never 'pending'.
alter table members drop constraint members_status_check,
  add constraint members_status_check check (status in ('active'));
alter table settlement_runs drop constraint settlement_runs_status_check,
  add constraint settlement_runs_status_check check (status in ('running', 'done', 'failed'));
