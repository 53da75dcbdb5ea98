-- grain: one row per (period, village, measure): the counts indicators are built from, at as_of:
-- the row-level measures (staging.measure_rows) summed over each period, and the villages'
-- reporting (a village-month is expected for every month with data, reported when a file of it
-- was accepted, on time when received by the 5th of the next month)
create or replace macro marts.village_measures(as_of) as table
with measured as (
    select period, period_type, village_code, measure, sum(value) as value
    from staging.period_measure_rows(as_of, by_month := true)
    group by all
),

known_submissions as (
    select *
    from raw.submissions
    where received_at <= coalesce(as_of::timestamp, 'infinity'::timestamp)
),

data_months as (
    select distinct
        report_month,
        unnest(staging.periods_of(strptime(report_month, '%Y-%m')::date), recursive := true)
    from known_submissions
),

village_months as (
    select
        v.village_code, m.report_month, m.period, m.period_type,
        min(s.received_at) filter (s.status <> 'rejected') as first_received_at
    from raw.villages as v
    cross join data_months as m
    left join known_submissions as s
        on s.village_code = v.village_code and s.report_month = m.report_month
    group by all
),

timeliness_measures as (
    select
        period, period_type, village_code,
        1 as villages_expected,
        (count(first_received_at) > 0)::integer as villages_reported,
        count(*) as village_months_expected,
        count(first_received_at) as village_months_reported,
        count(*) filter (
            first_received_at < strptime(report_month, '%Y-%m') + interval 1 month + interval 5 day
        ) as village_months_on_time
    from village_months
    group by all
)

select period, period_type, village_code, measure, value
from measured
union all
unpivot timeliness_measures on columns(* exclude (period, period_type, village_code)) into name measure value value;
comment on macro table marts.village_measures is '粒度：每个（期间, 村, 度量）一行：构成指标的计数，截至 as_of。';
