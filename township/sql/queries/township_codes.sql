-- grain: one row per township of the reference list
select distinct township_code
from raw.villages
order by 1;
