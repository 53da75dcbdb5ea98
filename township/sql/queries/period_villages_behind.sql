-- grain: one row per (village, report month, issue) of the report months $first … $last with
-- data, as received by $as_of: missing (nothing accepted, its deadline past), late (first
-- accepted file after the 5th of the next month), errors (a current version with errors),
-- quarantined (rows held back)
with known as (
    select *
    from raw.submissions
    where report_month between $first and $last
      and received_at <= coalesce($as_of::timestamp, 'infinity'::timestamp)
),

data_months as (
    select distinct report_month
    from known
),

village_months as (
    select
        v.village_code, m.report_month,
        min(s.received_at) filter (s.status <> 'rejected') as first_received_at
    from raw.villages as v
    cross join data_months as m
    left join known as s
        on s.village_code = v.village_code and s.report_month = m.report_month
    group by all
),

current_errors as (
    select c.village_code, c.report_month, count(distinct c.submission_id) as n
    from staging.current_forms($as_of) as c
    join known as s using (submission_id)
    where s.status = 'has_errors'
    group by all
),

-- the rows staging.row_outcomes calls quarantined (an error in the form's current version),
-- counted without classifying every row of every file
quarantined as (
    select s.village_code, s.report_month, count(*) as n
    from staging.form_rows as r
    join known as s using (submission_id)
    join staging.current_forms($as_of) as c using (submission_id, form)
    where r.has_error and s.status <> 'rejected'
    group by all
),

issues as (
    select village_code, report_month, 'missing' as issue, 1 as n
    from village_months
    where first_received_at is null
      -- not missing before its deadline (the 5th of the next month) has passed
      and strptime(report_month, '%Y-%m') + interval 1 month + interval 5 day
          <= coalesce($as_of::timestamp, now()::timestamp)
    union all
    select village_code, report_month, 'late', 1
    from village_months
    where first_received_at
        >= strptime(report_month, '%Y-%m') + interval 1 month + interval 5 day
    union all
    select village_code, report_month, 'errors', n
    from current_errors
    union all
    select village_code, report_month, 'quarantined', n
    from quarantined
)

select i.village_code, v.village_name, i.report_month, i.issue, i.n::bigint as n
from issues as i
left join raw.villages as v using (village_code)
order by i.issue, i.village_code, i.report_month;
