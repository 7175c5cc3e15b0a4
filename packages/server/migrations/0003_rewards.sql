-- The reward plans' state beside the ledger (issue 3 phase 2, issue 4).
-- Balances stay on the ledger; these tables hold what the ledger cannot:
-- the equity pool's ratio state, which business day the engine has open,
-- each eligible order's effects (to reverse on refund, and its release-plan
-- gift left), members' star levels, and the exit-mechanism queue.

-- The business day the reward engine has open. Orders whose eligible day is
-- after it wait; the daily settlement of day D moves it to D + 1 and then makes
-- the orders due on D + 1 eligible (in the order paid).
create table reward_clock (
  id integer primary key check (id = 1),
  open_day date not null
);

-- Equity plan (docs/rules.md §1): pool P, circulating supply S, issued I, and the
-- price remembered while S = 0 (price_num / price_den). One row, locked FOR
-- UPDATE by every equity movement, so they run one after another.
create table equity_state (
  id integer primary key check (id = 1),
  pool numeric(30, 6) not null check (pool >= 0),
  supply numeric(30, 6) not null check (supply >= 0),
  issued numeric(30, 6) not null check (issued >= 0),
  price_num numeric(40, 6) not null check (price_num >= 0),
  price_den numeric(40, 6) not null check (price_den > 0)
);

-- One row per order that became reward-eligible: when, in which sequence
-- (the FIFO order of the release plan), and what it gave.
create table order_rewards (
  order_id bigint primary key references orders (id),
  member_id bigint not null references members (id),
  seq bigint generated always as identity unique,
  eligible_on date not null,
  amount numeric(30, 6) not null,
  points_paid numeric(30, 6) not null,
  in_cycle boolean not null,
  reversed_on date,
  -- equity plan
  equity_buyer numeric(30, 6) not null default 0,
  equity_referrer_id bigint references members (id),
  equity_referrer numeric(30, 6) not null default 0,
  exit_quota numeric(30, 6) not null default 0,
  -- cycle plan
  cycle_quota numeric(30, 6) not null default 0,
  cycle_weight numeric(30, 6) not null default 0,
  cycle_referrer_id bigint references members (id),
  cycle_referrer_weight numeric(30, 6) not null default 0,
  -- release plan
  release_grade text,
  release_grade_min numeric(30, 6),
  release_gift numeric(30, 6) not null default 0,
  release_base numeric(30, 6) not null default 0,
  release_remaining numeric(30, 6) not null default 0 check (release_remaining >= 0),
  release_released numeric(30, 6) not null default 0
);
create index order_rewards_open_release_idx on order_rewards (seq) where release_remaining > 0;
create index order_rewards_member_idx on order_rewards (member_id, seq);
create index order_rewards_day_idx on order_rewards (eligible_on) where in_cycle;

-- Star level (星级) of each member, as computed at the last settlement.
create table member_stars (
  member_id bigint primary key references members (id),
  star text not null,
  business_day date not null
);

-- Exit mechanism (docs/rules.md §1.5): members holding equity points with an exit quota,
-- keyed by their threshold price quota / held. A check reads only those whose
-- threshold the price has reached (index range), never every member.
create table exit_queue (
  member_id bigint primary key references members (id),
  held numeric(30, 6) not null check (held > 0),
  quota numeric(30, 6) not null check (quota > 0),
  threshold numeric not null
);
create index exit_queue_threshold_idx on exit_queue (threshold);
