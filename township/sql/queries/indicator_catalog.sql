-- grain: one row per indicator of the catalog, as last materialized
select *
from marts.indicator_catalog;
