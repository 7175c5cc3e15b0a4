-- 0008_refund_reason: why an order was refunded. Every refund from now on
-- gives a reason (the admin API requires one; the shop's webhook refund gets a
-- fixed text); orders refunded before this migration keep null.
alter table orders add column refund_reason text;
