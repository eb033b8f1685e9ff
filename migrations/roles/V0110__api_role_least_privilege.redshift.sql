-- Redshift variant of the API role's least privilege (see the .sql): Redshift has no CONNECT privilege (a user may
-- connect to any database of the cluster) and no large objects, so only TEMPORARY applies. PUBLIC loses it on this
-- database and the migrating user, whose loads and refreshes create temporary tables, gets it by name. Without DO
-- blocks the dynamic statements run in a throwaway procedure, as in V0100.

create or replace procedure warehouse.restrict_api_user()
as $$
begin
    execute 'revoke temporary on database ' || quote_ident(current_database()) || ' from public';
    execute 'grant temporary on database ' || quote_ident(current_database()) || ' to ' || quote_ident(current_user);
end;
$$ language plpgsql;

call warehouse.restrict_api_user();

drop procedure warehouse.restrict_api_user();
