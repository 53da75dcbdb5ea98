-- grain: one row: when the latest load committed (the analysts' copy must be newer)
select max(loaded_at) as last_loaded_at
from raw.loads;
