-- grain: one row per (period, org_code, indicator), as materialized: of period $period and of
-- township $township with its villages (each null: all); 统计用区划代码 are hierarchical, a
-- village's 12 digits begin with its township's 9
select *
from marts.indicator_values
where ($period is null or period = $period)
  and ($township is null or org_code = $township
       or (org_level = 'village' and starts_with(org_code, $township)))
order by org_level desc, org_code, indicator, period;
