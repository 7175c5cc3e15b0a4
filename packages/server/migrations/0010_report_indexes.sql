-- 0010_report_indexes: the dashboard's daily series (GET /admin/reports/daily)
-- reads a range of days: the orders paid on those days and the members who
-- joined on them. These indexes make each a range scan of the days asked for,
-- never a scan of every order or member.
create index orders_paid_day_idx on orders (paid_day) where paid_day is not null;
create index members_created_at_idx on members (created_at);
