-- 0004_settlement: the daily settlement's report, and storage settings for its bulk writes.

-- One row per business day (0001): status done carries the report of the run.
alter table settlement_runs
  add column duration_ms integer,
  add column member_count integer,
  add column report jsonb;

-- The settlement reads quota, weight and debts of every member: a partial index
-- over just those balance rows (a few per member) instead of a scan of all.
create index balances_settlement_idx on balances (member_id)
  where asset in ('quota', 'weight') or account like '%:debt:%';

-- The settlement updates every touched balance row each day; free space on
-- each page lets PostgreSQL write the new row version on the same page
-- without touching the indexes (a HOT update: `amount` is in no index).
alter table balances set (fillfactor = 70);
