-- grain: one row per village of the reference list, in code order
select village_code, village_name, township_code, township_name, aliases, email
from raw.villages
order by village_code;
