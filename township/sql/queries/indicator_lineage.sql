-- grain: one row per source row behind one indicator value (period ?, org ?, indicator ?, as_of ?)
select *
from marts.indicator_lineage(?, ?, ?, as_of := ?);
