-- 0007_ledger_causes: a posting can name its cause where its transaction's
-- kind does not say it all (docs/server.md, "History"). The daily settlement's
-- `release.daily` transaction of a member credits the member once per release
-- rule, each credit carrying the rule and that rule's figures as the engine
-- applied them (commands.ts `settlementTransactions`):
--   rule            release.static | release.share | release.team | release.peer
--   rate_ppm        the rule's rate in millionths (1.2% = 12000): the daily
--                   rate, the generation's share rate, the star level's rate,
--                   the peer rate
--   generation      share: 1 = direct referrals, 2 = their referrals, …
--   star            team and peer: the member's star level name that day
--   order_id        static: the order released from, when exactly one
--   counterpart_id  share: the one member of that generation whose static
--                   release it was, when exactly one
-- Every other posting leaves them null. Adding nullable columns without a
-- default to the partitioned table changes only the catalogue (no rewrite), and
-- every later day table (`jifen_bare_partition`, `like … including …`) has them.
alter table ledger_postings
  add column rule text,
  add column rate_ppm integer,
  add column generation smallint,
  add column star text,
  add column order_id bigint,
  add column counterpart_id bigint;
