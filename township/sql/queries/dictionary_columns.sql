-- grain: one row per column of table or view $schema.$name: name, type, comment; in order
select column_name, data_type, comment from duckdb_columns()
where database_name = current_database() and schema_name = $schema and table_name = $name
order by column_index;
