-- grain: one row per view of the marts schema (the analysts' tables), with its columns
select v.view_name, list(c.column_name order by c.column_index) as columns
from duckdb_views() as v
join duckdb_columns() as c
    on c.schema_name = v.schema_name and c.table_name = v.view_name
where v.schema_name = 'marts' and not v.internal
group by all
order by v.view_name;
