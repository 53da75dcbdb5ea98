-- grain: one row per (period, org_code, indicator), as marts.indicator_values, computed from the
-- village measures in the table named by $measures (marts.village_measures at a past moment, or
-- now while the materialization is behind) instead of read from the materialization; of $period
-- and $township as in indicator_values.sql
with facts as (
    select *
    from marts.indicator_facts_of($measures)
),

orgs as (
    select *
    from staging.indicator_orgs
),

labelled as (
    select
        facts.period,
        staging.period_type(facts.period) as period_type,
        orgs.org_level,
        orgs.org_code,
        orgs.org_name,
        facts.indicator,
        facts.value,
        facts.numerator,
        facts.denominator,
        facts.note
    from facts
    join orgs using (org_key)
)

select *
from labelled
where ($period is null or period = $period)
  and ($township is null or org_code = $township
       or (org_level = 'village' and starts_with(org_code, $township)))
order by org_level desc, org_code, indicator, period;
