-- 0015_live_settlement: the daily settlement no longer stops live commands
-- (issue 17). A day is closed in a short transaction (the clock moves on),
-- computed from what it closed with, then its balance deltas are applied in
-- small batches marked by the day (docs/server.md "Daily settlement").

-- The business day whose deltas a balance row has taken: a batch adds the
-- day's delta only to rows not marked with it yet, so a rerun after a crash
-- never adds it twice. Rows created by live commands start unmarked.
alter table balances add column settled_day date;

-- The day being settled between its close and its last batch (at most one
-- row): `closed` (the clock moved on, nothing written), `computed` (ledger,
-- stars, release progress and the deltas committed; batches being applied).
create table settlement_open (
  business_day date primary key,
  phase text not null check (phase in ('closed', 'computed')),
  closed_at timestamptz not null,
  -- The day's report once computed (finished when the last batch is applied).
  report jsonb
);

-- What a day closed with is what is there now less what later days moved:
-- the live ledger's transactions of the days after it, found by day.
create index ledger_transactions_live_day_idx on ledger_transactions_live (business_day);
