-- grain: one row per (period, source row, measure) at as_of: an event in every period holding its
-- date; a stock only in the periods whose last month the village reported is the row's month.
-- Then the vital measures, which depend on the period: the mean population (twice over, to stay
-- whole: the stock at the period's end and the last one before its start, or the end one twice
-- when there is none within a year), and the births and natural increase of the villages that
-- have that mean (a township's rate takes only villages it knows the population of).
-- by_month (marts.village_measures): the same sums from fewer rows, with no source row
create or replace macro staging.period_measure_rows(as_of, by_month := false) as table
-- named once, so that the macro is bound once (binding it is most of a small township's
-- materialization); not materialized: the branch by_month does not take is dropped unread
with source_rows as not materialized (
    select *
    from staging.measure_rows(as_of)
),

measure_rows as (
    select *
    from source_rows
    where not by_month
    union all
    -- by_month: the sums need no source row, and a month's rows fall in the same periods: they
    -- are added up first (a village's births of a month are one row a measure, not one a birth)
    select
        village_code, null as submission_id, null as sheet, null as excel_row,
        date_trunc('month', event_date)::date as event_date, kind, measure, sum(value) as value
    from source_rows
    where by_month
    group by village_code, date_trunc('month', event_date)::date, kind, measure
),

-- each date's five periods, computed once a date rather than once a row
date_periods as (
    select event_date, unnest(staging.periods_of(event_date), recursive := true)
    from (select distinct event_date from measure_rows)
),

-- a stock row stays in the periods that hold no later month of its village and measure
stocks as (
    select
        *,
        min(event_date) over (
            partition by village_code, measure order by event_date
            range between interval 1 day following and unbounded following
        ) as next_date
    from measure_rows
    where kind = 'stock'
),

kept as not materialized (
    select m.*, d.period, d.period_type
    from measure_rows as m
    join date_periods as d on d.event_date is not distinct from m.event_date
    where m.kind = 'event'
    union all
    select s.* exclude (next_date), d.period, d.period_type
    from stocks as s
    join date_periods as d on d.event_date = s.event_date
    left join date_periods as n on n.event_date = s.next_date and n.period_type = d.period_type
    where n.period is distinct from d.period
),

population as (
    select village_code, submission_id, sheet, excel_row, event_date, value
    from measure_rows
    where measure = 'population' and value is not null
),

closing as (
    select *, staging.period_start(period) as period_start
    from kept
    where measure = 'population' and value is not null
),

opened as (
    select
        c.*,
        o.submission_id as o_submission, o.sheet as o_sheet, o.excel_row as o_row,
        o.event_date as o_date, o.value as o_value
    from closing as c
    asof left join population as o
        on c.village_code = o.village_code and c.period_start > o.event_date
),

mean_population as (
    select
        village_code, submission_id, sheet, excel_row, event_date, kind,
        'mean_population_x2' as measure,
        case when o_date >= period_start - interval 12 month then value else 2 * value end as value,
        period, period_type
    from opened
    union all
    select
        village_code, o_submission, o_sheet, o_row, o_date, kind, 'mean_population_x2', o_value,
        period, period_type
    from opened
    where o_date >= period_start - interval 12 month
),

covered as (
    select distinct period, village_code
    from mean_population
),

vital as (
    select k.* replace ('births_covered' as measure)
    from kept as k
    join covered using (period, village_code)
    where k.measure = 'births_total'
    union all
    select k.* replace ('natural_increase' as measure)
    from kept as k
    join covered using (period, village_code)
    where k.measure = 'births_total'
    union all
    select k.* replace ('natural_increase' as measure, -k.value as value)
    from kept as k
    where k.measure = 'deaths'
)

select *
from kept
union all by name
select *
from mean_population
union all by name
select *
from vital;
comment on macro table staging.period_measure_rows is '粒度：每个（期间, 源数据行, 度量）一行：事件计入其日期所在的每个期间；存量只取村在期间内最后报送的月份；另有按期间计算的平均人口（期初期末之和）及有人口数的村的出生与自然增长。参数 as_of；by_month 为真时同村同月同度量的行先相加（无源数据行，供指标求和）。';
