-- grain: one row per (period, org_code, indicator), as marts.indicator_values, computed from the
-- rows at as_of (the one bound parameter; null: everything received so far) instead of read
-- from the materialization: for a past moment, or while the materialization is behind
with facts as (
    select *
    from marts.indicator_facts_at(?)
),

orgs as (
    select *
    from staging.indicator_orgs
)

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
