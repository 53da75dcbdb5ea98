-- grain: one row per village of the reference list, every column, in code order
select *
from raw.villages
order by village_code;
