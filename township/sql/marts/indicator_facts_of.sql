-- grain: one row per (period, org_key, indicator), for villages and townships (SPEC §8), from the
-- table named by `measures`: marts.village_measures(as_of) stored first (store/indicators.py).
-- In one statement with the measures, a prefecture's indicators exceed DuckDB's memory limit: a
-- stored table spills to disk, the measures' intermediate results do not. marts.indicator_facts
-- materializes it; the joins run on integer keys, quicker than on the codes
create or replace macro marts.indicator_facts_of(measures) as table
with village_measures as (
    select period, village_code, measure, value::bigint as value
    from query_table(measures)
),

periods as (
    select period, (row_number() over (order by period))::integer as period_key
    from (select distinct period from village_measures)
),

orgs as (
    select org_key, org_level, org_code, township_code
    from staging.indicator_orgs
),

catalog as (
    select
        code,
        kind,
        factor,
        decimals,
        numerator,
        denominator,
        annualised,
        kind <> 'stock' as zero_when_missing,
        kind not in ('stock', 'vital') as denominator_zero_when_missing
    from marts.indicator_catalog
),

measures as (
    select measure, (row_number() over (order by measure))::integer as measure_key
    from (
        select numerator as measure from catalog
        union
        select denominator from catalog where denominator is not null
    )
),

village_rows as (
    select p.period_key, v.org_key, t.org_key as township_key, k.measure_key, m.value
    from village_measures as m
    join periods as p using (period)
    join measures as k using (measure)
    join orgs as v on v.org_level = 'village' and v.org_code = m.village_code
    join orgs as t on t.org_level = 'township' and t.org_code = v.township_code
),

org_measures as (
    select period_key, org_key, measure_key, value
    from village_rows
    union all
    select period_key, township_key, measure_key, sum(value)::bigint
    from village_rows
    group by period_key, township_key, measure_key
),

grid as (
    select
        p.period,
        p.period_key,
        o.org_key,
        c.code,
        c.kind,
        c.factor,
        c.decimals,
        c.zero_when_missing,
        c.denominator_zero_when_missing,
        c.annualised,
        c.denominator is not null as has_denominator,
        n.measure_key as numerator_key,
        d.measure_key as denominator_key
    from periods as p
    cross join orgs as o
    cross join catalog as c
    join measures as n on n.measure = c.numerator
    left join measures as d on d.measure = c.denominator
),

joined as (
    select
        g.*,
        coalesce(n.value, case when g.zero_when_missing then 0 end) as num,
        case
            when g.has_denominator
                then coalesce(d.value, case when g.denominator_zero_when_missing then 0 end)
        end as den
    from grid as g
    left join org_measures as n
        on n.period_key = g.period_key and n.org_key = g.org_key and n.measure_key = g.numerator_key
    left join org_measures as d
        on d.period_key = g.period_key and d.org_key = g.org_key and d.measure_key = g.denominator_key
)

select
    period,
    org_key,
    code as indicator,
    case
        when num is null then null
        when not has_denominator then num * factor
        when den is null or den = 0 then null
        when not annualised then staging.round_half_up(num * factor, den, decimals)
        -- a rate per year: a half-year's births are half a year's, not a year's
        else staging.round_half_up(num * factor * 12, den * staging.period_months(period), decimals)
    end as value,
    num as numerator,
    den as denominator,
    case
        when num is null then '期间内无报表'
        when kind = 'vital' and den is null then '未报送人口变动，无数据'
        when has_denominator and den is null then '期间内无报表'
        when has_denominator and den = 0 then '分母为0，无法计算'
    end as note
from joined;
comment on macro table marts.indicator_facts_of is '粒度：每个（期间, 单位编号, 指标）一行：由参数所指的表（存放 marts.village_measures(as_of) 的结果）算出的指标值（未带单位代码与名称）。';
