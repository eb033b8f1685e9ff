-- The role the HTTP API (`warehouse serve`) connects as. It can read the marts and nothing else that holds data, so no
-- request can change the warehouse whatever the code above it does. It logs in without a password by default: the
-- embedded cluster trusts loopback connections; on a server that asks for one, the runner sets it from
-- WAREHOUSE_API_PASSWORD with ALTER ROLE (never written here, so it never lands in the migration history).
--
-- Roles belong to the whole cluster while grants belong to one database, so the role is created only when missing
-- (another database of the same cluster may have created it first) and the grants are repeated for this database.

-- marts is created by the staging migration too; repeated here so this script does not depend on which lands first
create schema if not exists marts;

do $$
begin
    if not exists (select from pg_roles where rolname = 'warehouse_api') then
        create role warehouse_api with login nosuperuser nocreatedb nocreaterole noinherit noreplication;
    end if;
exception
    -- two databases migrating at the same moment: the other one created it between our check and our create
    when duplicate_object or unique_violation then null;
end
$$;

comment on role warehouse_api is 'Read-only role of the warehouse HTTP API: SELECT on schema marts only.';

grant usage on schema marts to warehouse_api;
grant select on all tables in schema marts to warehouse_api;
-- marts are views re-created by repeatable scripts: every future one is readable too (created by the migrating user)
alter default privileges in schema marts grant select on tables to warehouse_api;

-- GET /health compares this history with the scripts on disk; the history is metadata, not warehouse data.
grant usage on schema warehouse to warehouse_api;
grant select on warehouse.schema_history to warehouse_api;
