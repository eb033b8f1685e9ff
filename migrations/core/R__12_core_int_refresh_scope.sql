-- core.int_refresh_scope: what the statement running now must build, one row. The refresh machinery in one place: the
-- rule models (sessionize, sessions, HTTP summary) read it and stay plain selects over "this run's" rows.
--
-- A full refresh runs one transaction per bucket of users, each on its own connection, and tells that connection its
-- bucket with `set local warehouse.refresh_bucket = ...` (and the refresh id, the bucket count and that it rebuilds
-- everything). Without those settings (an incremental refresh, Redshift, an analyst) the scope is every bucket, the
-- refresh id and bucket count are core.refresh_state's, and only rows loaded since the last refresh are new.

drop view if exists core.int_refresh_scope cascade;

create view core.int_refresh_scope as
with

refresh_state as (
    select * from core.refresh_state
),

settings as (
    select
        cast(${refresh_setting(id)} as bigint) as refresh_id,
        cast(${refresh_setting(bucket_count)} as integer) as bucket_count,
        cast(${refresh_setting(bucket)} as integer) as bucket,
        ${refresh_setting(full)} as full_setting
),

state as (
    select
        max(refresh_id) as refresh_id,
        max(bucket_count) as bucket_count
    from refresh_state
),

final as (
    select
        coalesce(settings.refresh_id, state.refresh_id) as refresh_id,
        coalesce(settings.bucket_count, state.bucket_count) as bucket_count,
        cast(settings.bucket as smallint) as bucket,
        case when settings.full_setting = 'on' then true else false end as is_full
    from settings
    cross join state
)

select * from final;

comment on view core.int_refresh_scope is 'Refresh machinery: the refresh id, bucket count, the bucket the running statement builds (null: all of them) and whether it rebuilds everything; the refresher sets them per connection, otherwise every bucket of the last refresh.';
comment on column core.int_refresh_scope.refresh_id is 'The refresh being built (setting warehouse.refresh_id, else core.refresh_state.refresh_id).';
comment on column core.int_refresh_scope.bucket_count is 'How many user buckets rows are filed in (setting warehouse.refresh_bucket_count, else core.refresh_state.bucket_count).';
comment on column core.int_refresh_scope.bucket is 'The user bucket the running statement builds (setting warehouse.refresh_bucket); null for every bucket.';
comment on column core.int_refresh_scope.is_full is 'True when every staging row is taken in (a full refresh), false when only rows loaded after core.refresh_state.loaded_through_load_id are.';
