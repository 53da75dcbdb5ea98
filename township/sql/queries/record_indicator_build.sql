-- the materialization just made: the loads it covers, when, from which catalog ($catalog)
insert into marts.indicator_builds
select count(*), now()::timestamp, $catalog
from raw.loads;
