-- 0006_operators_security: operators who must change their password before
-- anything else (the built-in demo password), and SMS code requests that were
-- refused (phone taken / not registered) but still count against the send limits.
alter table operators add column must_change_password boolean not null default false;

alter table sms_codes alter column code_hash drop not null;
alter table sms_codes add column refusal text;
alter table sms_codes add constraint sms_codes_refusal_has_no_code
  check ((refusal is null) = (code_hash is not null));
