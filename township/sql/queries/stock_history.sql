-- grain: one row per (village, report month, stock figure) of the current valid records
select village_code, report_month, 'contraception' as form, 'married_women' as field, married_women as value
from staging.contraception(null)
union all
select village_code, report_month, 'migrants', 'out_migrants', out_migrants
from staging.migrants(null)
union all
select village_code, report_month, 'migrants', 'in_migrants', in_migrants
from staging.migrants(null);
