-- 0016_agreements: the member terms (会员服务协议) and the privacy policy
-- (隐私政策) a member accepts when registering. Each publication is a new
-- version (nothing is edited in place); a member's acceptance names the
-- versions read, so an auditor sees who agreed to which text and when.
-- Until an operator publishes one, the server shows its built-in text as
-- version 1 (packages/server/src/agreements/defaults.ts); the first one
-- published is version 2.
create table agreements (
  kind text not null check (kind in ('terms', 'privacy')),
  version integer not null check (version > 1),
  title text not null,
  body text not null,
  operator_id bigint references operators (id),
  published_at timestamptz not null,
  primary key (kind, version)
);

create table member_consents (
  member_id bigint not null references members (id),
  kind text not null check (kind in ('terms', 'privacy')),
  version integer not null check (version > 0),
  accepted_at timestamptz not null,
  primary key (member_id, kind, version)
);
