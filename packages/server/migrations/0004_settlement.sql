-- 0004_settlement: the daily settlement's report, and storage settings for its
-- bulk writes (measured at 200,000 members on PostgreSQL 15, docs/scaling.md).

-- One row per business day (0001): status done carries the report of the run.
alter table settlement_runs
  add column duration_ms integer,
  add column member_count integer,
  add column report jsonb;

-- The settlement reads quota, weight and debts of every member: a partial index
-- over just those balance rows (a few per member) instead of a scan of all.
create index balances_settlement_idx on balances (member_id)
  where asset in ('quota', 'weight') or account like '%:debt:%';

-- Every day the settlement rewrites the balance row of most members (points,
-- gift, cash, quota) and the row of every open release-plan order. With room
-- on each page PostgreSQL writes the new row version on the same page and
-- leaves the indexes alone (a HOT update) — 3× faster on order_rewards. Room
-- for a whole page of new versions needs half the page free. (Existing rows
-- move to roomy pages when the table is rewritten: VACUUM FULL.)
alter table balances set (fillfactor = 50);
alter table order_rewards set (fillfactor = 50);
-- A HOT update is impossible when an updated column is in any index, even in a
-- partial index's WHERE: this index made every daily update of an order's
-- release_remaining write five index entries. The settlement reads open
-- orders by the unique `seq` index instead.
drop index order_rewards_open_release_idx;

-- Postings must refer to an existing transaction. A foreign key checks that
-- one posting at a time (a row lock on the transaction per posting: 40% of the
-- time of a bulk COPY of postings); the ledger is append-only (0001's triggers
-- refuse UPDATE and DELETE of transactions), so checking each INSERT or COPY
-- statement's new postings at once, set-based, guarantees the same.
alter table ledger_postings drop constraint ledger_postings_transaction_id_fkey;

create function jifen_postings_have_transactions() returns trigger language plpgsql as $$
begin
  if exists (
    select 1 from (select distinct transaction_id from new_postings) p
    where not exists (select 1 from ledger_transactions t where t.id = p.transaction_id)
  ) then
    raise exception 'ledger_postings: a posting refers to a transaction that does not exist'
      using errcode = 'foreign_key_violation';
  end if;
  return null;
end;
$$;

create trigger ledger_postings_transaction_check after insert on ledger_postings
  referencing new table as new_postings
  for each statement execute function jifen_postings_have_transactions();
