-- 0012_equity_prices: the equity price at the close of each settled business day,
-- for the member site's price chart (GET /equity/prices). Written by the
-- settlement when it opens the next day (rewards/price-history.ts); the open
-- day's live price is read from equity_state, so it has no row here.
create table equity_prices (
  business_day date primary key,
  price numeric(30, 6) not null check (price >= 0),
  pool numeric(40, 6) not null check (pool >= 0),
  circulating numeric(40, 6) not null check (circulating >= 0),
  recorded_at timestamptz not null
);
