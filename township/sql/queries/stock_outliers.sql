-- grain: one row per stock figure of the given submissions lying more than 3.5 modified
-- z-scores from the same village's other months (Iglewicz–Hoaglin); the spread is floored at
-- 2% of the median (and 1), since village stocks drift by a few people a month
with new_values as (
    unpivot (
        select c.submission_id, s.village_code, s.report_month, 'contraception' as form, c.married_women
        from raw.contraception as c
        join raw.submissions as s using (submission_id)
        where c.submission_id in (select unnest(?::varchar[])) and not c.has_error
    ) on married_women into name field value value
    union all
    unpivot (
        select m.submission_id, s.village_code, s.report_month, 'migrants' as form, m.out_migrants, m.in_migrants
        from raw.migrants as m
        join raw.submissions as s using (submission_id)
        where m.submission_id in (select unnest(?::varchar[])) and not m.has_error
    ) on out_migrants, in_migrants into name field value value
),

history as (
    select village_code, report_month, 'married_women' as field, married_women as value
    from staging.contraception(null)
    where village_code in (select village_code from new_values)
    union all
    select village_code, report_month, 'out_migrants', out_migrants
    from staging.migrants(null)
    where village_code in (select village_code from new_values)
    union all
    select village_code, report_month, 'in_migrants', in_migrants
    from staging.migrants(null)
    where village_code in (select village_code from new_values)
),

pairs as (
    select n.submission_id, n.form, n.field, n.value, h.value as past
    from new_values as n
    join history as h
        on h.village_code = n.village_code and h.field = n.field and h.report_month <> n.report_month
    where h.value is not null
),

centre as (
    select submission_id, form, field, value, median(past) as median, count(*) as n_months
    from pairs
    group by all
),

deviation as (
    select c.submission_id, c.form, c.field, c.value, c.median, c.n_months,
        median(abs(p.past - c.median)) as raw_mad
    from centre as c
    join pairs as p using (submission_id, form, field)
    group by c.submission_id, c.form, c.field, c.value, c.median, c.n_months
),

scored as (
    select
        *,
        0.6745 * (value - median) / greatest(raw_mad, 0.02 * abs(median), 1) as z
    from deviation
)

select submission_id, form, field, value, median, z
from scored
where n_months >= 3 and abs(z) > 3.5;
