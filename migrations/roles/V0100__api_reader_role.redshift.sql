-- Redshift variant of the API's read-only login: Redshift has users rather than login roles and no DO blocks, so the
-- create-if-missing runs in a throwaway procedure. Users belong to the cluster and grants to one database, as in
-- PostgreSQL. PASSWORD DISABLE: the runner sets one from WAREHOUSE_API_PASSWORD (never written here).

create or replace procedure warehouse.create_api_user()
as $$
begin
    if not exists (select 1 from pg_user where usename = 'warehouse_api') then
        execute 'create user warehouse_api password disable';
    end if;
end;
$$ language plpgsql;

call warehouse.create_api_user();

drop procedure warehouse.create_api_user();

create schema if not exists marts;

grant usage on schema marts to warehouse_api;
grant select on all tables in schema marts to warehouse_api;
-- marts are views re-created by repeatable scripts: every future one is readable too
alter default privileges in schema marts grant select on tables to warehouse_api;

-- GET /health compares this history with the scripts on disk; the history is metadata, not warehouse data.
grant usage on schema warehouse to warehouse_api;
grant select on warehouse.schema_history to warehouse_api;
