-- The API's role (V0100) may read the marts and nothing else. PUBLIC, which every role belongs to, holds more by
-- default: CONNECT and TEMPORARY on each database, and EXECUTE on the functions that create large objects. Temporary
-- tables and large objects let a reader fill the server's disk; CONNECT lets it into databases it has no business in.
-- Those defaults go, and the roles that need the privileges get them by name.
--
-- Database privileges belong to the database, so each warehouse database is restricted when it is migrated (and
-- CREATE DATABASE ... TEMPLATE does not copy them: a copy must be granted again). Other databases of the cluster are
-- not this script's to change; the embedded cluster's own (postgres, template1) are closed by the runner.

do $$
declare
    database_name text := current_database();
begin
    if (select rolsuper from pg_roles where rolname = current_user)
        or pg_has_role((select datdba from pg_database where datname = database_name), 'usage') then
        execute format('revoke connect, temporary on database %I from public', database_name);
        -- the migrating user keeps both: the loader and the refresh create temporary tables as that user
        execute format('grant connect, temporary on database %I to %I', database_name, current_user);
        execute format('grant connect on database %I to warehouse_api', database_name);
    else
        raise warning 'warehouse_api can still connect to and create temporary tables in database %: only its owner can '
            'take that from PUBLIC; as the owner run: revoke connect, temporary on database % from public; grant connect, '
            'temporary on database % to %; grant connect on database % to warehouse_api',
            database_name, database_name, database_name, current_user, database_name;
    end if;
end
$$;

-- Large objects: creating one takes only EXECUTE on these functions (lo_import from a server file is superuser-only
-- already). They belong to the bootstrap superuser, so only a superuser can take them from PUBLIC; the warehouse itself
-- never uses large objects.
do $$
begin
    if (select rolsuper from pg_roles where rolname = current_user) then
        revoke execute on function lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea) from public;
    else
        raise warning 'warehouse_api can still create large objects in database %: as a superuser run: revoke execute on '
            'function lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea) from public', current_database();
    end if;
end
$$;
