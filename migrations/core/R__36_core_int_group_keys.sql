-- core.int_group_keys: the family keys the by-key session marts group sessions by, one row each. Its own model so the
-- refresher can build the by-key mart one key at a time (a key per job) from the same list the rule reads.

drop view if exists core.int_group_keys cascade;

create view core.int_group_keys as
select cast('browser_family' as varchar(32)) as group_key
union all
select cast('os_family' as varchar(32)) as group_key
union all
select cast('device_family' as varchar(32)) as group_key;

comment on view core.int_group_keys is 'The family keys of marts.daily_sessions_by_key and marts.sessions_by_key: browser_family, os_family, device_family.';
