-- 0013_alipay: Alipay payments, refunds and payouts (issue 13), a minimal
-- glue of its own until the shared payments layer is merged.
--
-- 1. Orders and checkouts paid through Alipay.
alter table orders drop constraint orders_provider_check;
alter table orders add constraint orders_provider_check
  check (provider in ('manual', 'webhook', 'demo', 'alipay'));
alter table checkouts drop constraint checkouts_provider_check;
alter table checkouts add constraint checkouts_provider_check
  check (provider in ('manual', 'demo', 'webhook', 'alipay'));

-- 2. A payment asked of a provider for a checkout's cash part. The provider's
--    transaction id is unique: a notification (or query) is applied once.
create table provider_payments (
  out_trade_no text primary key check (out_trade_no ~ '^[A-Za-z0-9_-]{1,64}$'),
  provider text not null check (provider in ('alipay')),
  checkout_id bigint not null unique references checkouts (id),
  amount numeric(30, 6) not null check (amount > 0 and amount = round(amount, 2)),
  status text not null check (status in ('pending', 'paid')),
  provider_txn_id text,
  created_at timestamptz not null,
  paid_at timestamptz,
  unique (provider, provider_txn_id)
);
create index provider_payments_paid_idx on provider_payments (provider, paid_at) where paid_at is not null;

-- 3. Refunds sent to a provider, one per refunded order; the refund number
--    makes a retry safe (the provider refunds one number once).
create table provider_refunds (
  refund_no text primary key,
  provider text not null check (provider in ('alipay')),
  out_trade_no text not null references provider_payments (out_trade_no),
  order_id bigint not null unique references orders (id),
  amount numeric(30, 6) not null check (amount > 0 and amount = round(amount, 2)),
  status text not null check (status in ('sending', 'succeeded')),
  created_at timestamptz not null,
  finished_at timestamptz
);
create index provider_refunds_finished_idx on provider_refunds (provider, finished_at) where finished_at is not null;

-- 4. Where a member's withdrawals are paid: an Alipay login id (phone or
--    e-mail, with the holder's real name) or user id (2088…).
create table member_payout_accounts (
  member_id bigint not null references members (id),
  provider text not null check (provider in ('alipay')),
  identity text not null check (length(identity) between 1 and 100),
  identity_type text not null check (identity_type in ('ALIPAY_LOGON_ID', 'ALIPAY_USER_ID')),
  real_name text check (length(real_name) <= 50),
  updated_at timestamptz not null,
  primary key (member_id, provider)
);

-- 5. A withdrawal paid out through a provider: `sending` until the provider's
--    outcome is known for sure; the payout number (out_biz_no) is fixed before
--    the first call, so a retry after a crash asks for the same payout.
create table withdrawal_payouts (
  withdrawal_id bigint primary key references withdrawals (id),
  provider text not null check (provider in ('alipay')),
  payout_no text not null unique,
  amount numeric(30, 6) not null check (amount > 0),
  status text not null check (status in ('sending', 'succeeded', 'failed')),
  provider_ref text,
  failure text,
  created_at timestamptz not null,
  finished_at timestamptz
);
