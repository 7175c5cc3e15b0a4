-- 0017_writer_lease: one equity writer among several server processes on one
-- PostgreSQL (issue 14, docs/scaling.md "Several server processes").
--
-- The row names the process that holds the writer's lease: `epoch` grows by
-- one at every takeover, and every batch of the writer reads it FOR KEY SHARE
-- in its own transaction and is refused when it is not the epoch its process
-- took; a takeover locks the row FOR UPDATE, so it waits for the batch in
-- flight and no batch of the old holder commits after it. `holder_pid` and
-- `holder_started` name the holder's heartbeat session: when that session is
-- gone (the process died) another process takes over at once, otherwise when
-- `expires_at` has passed (the holder stopped renewing). `address` is where
-- the other processes forward equity commands.
create table writer_lease (
  name text primary key,
  epoch bigint not null default 0,
  holder text,
  address text,
  holder_pid integer,
  holder_started timestamptz,
  expires_at timestamptz not null default '-infinity'
);

insert into writer_lease (name) values ('equity');
