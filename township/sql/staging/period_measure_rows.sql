-- grain: one row per (period, source row, measure) at as_of: an event in every period holding its
-- date; a stock only in the periods whose last month the village reported is the row's month
create or replace macro staging.period_measure_rows(as_of) as table
with expanded as (
    select m.*, unnest(staging.periods_of(m.event_date), recursive := true)
    from staging.measure_rows(as_of) as m
)

select *
from expanded
qualify kind = 'event'
    or event_date = max(event_date) over (partition by period, village_code, measure);
comment on macro table staging.period_measure_rows is '粒度：每个（期间, 源数据行, 度量）一行：事件计入其日期所在的每个期间；存量只取村在期间内最后报送的月份。参数 as_of。';
