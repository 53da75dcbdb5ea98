-- grain: one row per table or view of schema $schema in the connection's database: name,
-- 'table' | 'view', its comment; by name (the data dictionary, township/docs.py)
select table_name, 'table', comment from duckdb_tables()
where database_name = current_database() and schema_name = $schema
union all
select view_name, 'view', comment from duckdb_views()
where database_name = current_database() and schema_name = $schema and not internal
order by 1;
