-- grain: one row per macro of schema $schema: name, 'macro' | 'table_macro', its parameters,
-- comment; by name
select distinct function_name, function_type, parameters, comment from duckdb_functions()
where database_name = current_database() and schema_name = $schema
  and function_type in ('macro', 'table_macro')
order by function_name, function_type;
