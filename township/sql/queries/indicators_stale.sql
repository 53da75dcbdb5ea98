-- grain: one row: whether the materialized indicators are behind the loads or the catalog (?);
-- never materialized, they are behind when anything was received
with build as (
    select max(loads_covered) as loads_covered, max(catalog_sha256) as catalog_sha256
    from marts.indicator_builds
)

select
    case
        when build.loads_covered is null then exists (select 1 from raw.submissions)
        else build.loads_covered < (select count(*) from raw.loads)
            or build.catalog_sha256 is distinct from ?
    end as stale
from build;
