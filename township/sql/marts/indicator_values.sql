-- grain: one row per (period, org_code, indicator), for villages and the township (SPEC §8)
-- the one bound parameter is as_of (null: everything received so far)
with village_measures as (
    select period, period_type, village_code, measure, value::bigint as value
    from marts.village_measures(?)
),

periods as (
    select distinct period, period_type from village_measures
),

orgs as (
    select 'village' as org_level, village_code as org_code, village_name as org_name, village_code
    from raw.villages
    union all
    select distinct 'township', township_code, township_name, null
    from raw.villages
),

org_measures as (
    select period, period_type, village_code as org_code, measure, value
    from village_measures
    union all
    select m.period, m.period_type, v.township_code, m.measure, sum(m.value)::bigint
    from village_measures as m
    join raw.villages as v using (village_code)
    group by all
),

grid as (
    select p.period, p.period_type, o.org_level, o.org_code, o.org_name, i.*
    from periods as p
    cross join orgs as o
    cross join marts.indicator_catalog as i
),

joined as (
    select
        g.*,
        coalesce(n.value, case when g.kind <> 'stock' then 0 end) as num,
        case
            when g.denominator is not null
                then coalesce(d.value, case when g.kind <> 'stock' then 0 end)
        end as den
    from grid as g
    left join org_measures as n
        on n.period = g.period and n.org_code = g.org_code and n.measure = g.numerator
    left join org_measures as d
        on d.period = g.period and d.org_code = g.org_code and d.measure = g.denominator
)

select
    period,
    period_type,
    org_level,
    org_code,
    org_name,
    code as indicator,
    case
        when num is null then null
        when denominator is null then num * factor
        when den is null or den = 0 then null
        else staging.round_half_up(num * factor, den, decimals)
    end as value,
    num as numerator,
    den as denominator,
    case
        when num is null then '期间内无报表'
        when denominator is not null and den is null then '期间内无报表'
        when denominator is not null and den = 0 then '分母为0，无法计算'
    end as note
from joined;
