-- grain: one row per (period, village, measure): the counts indicators are built from, at as_of
-- events are summed by their own date, stocks taken from the last month the village reported
create or replace macro marts.village_measures(as_of) as table
with births as (
    select
        b.*,
        unnest(staging.periods_of(b.birth_date), recursive := true)
    from staging.births(as_of) as b
),

birth_measures as (
    select
        period, period_type, village_code,
        count(*) as births_total,
        count(*) filter (child_sex = '男') as births_male,
        count(*) filter (child_sex = '女') as births_female,
        count(*) filter (parity = 1) as births_parity_1,
        count(*) filter (parity = 2) as births_parity_2,
        count(*) filter (parity >= 3) as births_parity_3plus,
        count(*) filter (in_policy) as births_in_policy,
        count(*) filter (not in_policy) as births_out_of_policy,
        count(*) filter (not in_policy and parity = 2) as births_out_of_policy_parity_2,
        count(*) filter (not in_policy and parity >= 3) as births_out_of_policy_parity_3plus,
        count(*) filter (first_report_month > strftime(birth_date, '%Y-%m')) as births_late_reported
    from births
    group by all
),

beneficiaries as (
    select
        b.*,
        unnest(staging.periods_of(b.approved_on), recursive := true)
    from staging.beneficiaries(as_of) as b
),

beneficiary_measures as (
    select
        period, period_type, village_code,
        count(*) filter (category = '农村奖励扶助') as new_reward_recipients,
        count(*) filter (category = '特别扶助') as new_special_assistance,
        count(*) filter (category = '独女户高考加分') as new_only_daughter_bonus
    from beneficiaries
    group by all
),

services as (
    select
        s.*,
        unnest(staging.periods_of(strptime(s.report_month, '%Y-%m')::date), recursive := true)
    from staging.services(as_of) as s
),

service_measures as (
    select
        period, period_type, village_code,
        sum(leaflets) as leaflets,
        sum(slogans) as slogans,
        sum(posters) as posters,
        sum(consultations) as consultations,
        sum(checkups_due) as checkups_due,
        sum(checkups_done) as checkups_done,
        sum(follow_up_visits) as follow_up_visits,
        sum(two_non_cases) as two_non_cases
    from services
    group by all
),

contraception as (
    select
        c.*,
        unnest(staging.periods_of(strptime(c.report_month, '%Y-%m')::date), recursive := true)
    from staging.contraception(as_of) as c
),

contraception_measures as (
    select
        period, period_type, village_code,
        married_women,
        contraceptive_users,
        long_acting_users
    from contraception
    qualify row_number() over (partition by period, village_code order by report_month desc) = 1
),

migrants as (
    select
        m.*,
        unnest(staging.periods_of(strptime(m.report_month, '%Y-%m')::date), recursive := true)
    from staging.migrants(as_of) as m
),

migrant_measures as (
    select
        period, period_type, village_code,
        out_migrants, out_married_women, out_certified, out_contacted, in_migrants
    from migrants
    qualify row_number() over (partition by period, village_code order by report_month desc) = 1
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
),

current_rows as (
    select c.village_code, c.report_month, r.has_error, r.submission_id, r.sheet, r.excel_row, 'births' as form
    from raw.births as r
    join staging.current_forms(as_of) as c on c.submission_id = r.submission_id and c.form = 'births'
    union all
    select c.village_code, c.report_month, r.has_error, r.submission_id, r.sheet, r.excel_row, 'beneficiaries'
    from raw.beneficiaries as r
    join staging.current_forms(as_of) as c
        on c.submission_id = r.submission_id and c.form = 'beneficiaries'
),

counted_rows as (
    select submission_id, sheet, excel_row from staging.births(as_of)
    union all
    select submission_id, sheet, excel_row from staging.beneficiaries(as_of)
),

row_outcomes as (
    select
        r.*,
        unnest(staging.periods_of(strptime(r.report_month, '%Y-%m')::date), recursive := true),
        k.submission_id is not null as counted
    from current_rows as r
    left join counted_rows as k using (submission_id, sheet, excel_row)
),

record_errors as (
    select c.village_code, c.report_month
    from staging.current_forms(as_of) as c
    join (
        select submission_id, 'contraception' as form from raw.contraception where has_error
        union all
        select submission_id, 'migrants' from raw.migrants where has_error
        union all
        select submission_id, 'services' from raw.services where has_error
    ) as e using (submission_id, form)
),

quarantine_measures as (
    select
        period, period_type, village_code,
        count(*) filter (has_error) as rows_quarantined,
        count(*) filter (not has_error and not counted) as duplicates_removed
    from row_outcomes
    group by all
    union all
    select
        period, period_type, village_code,
        count(*) as rows_quarantined,
        0 as duplicates_removed
    from (
        select e.*, unnest(staging.periods_of(strptime(e.report_month, '%Y-%m')::date), recursive := true)
        from record_errors as e
    )
    group by all
)

unpivot birth_measures on columns(* exclude (period, period_type, village_code)) into name measure value value
union all
unpivot beneficiary_measures on columns(* exclude (period, period_type, village_code)) into name measure value value
union all
unpivot service_measures on columns(* exclude (period, period_type, village_code)) into name measure value value
union all
unpivot contraception_measures on columns(* exclude (period, period_type, village_code)) into name measure value value
union all
unpivot migrant_measures on columns(* exclude (period, period_type, village_code)) into name measure value value
union all
unpivot timeliness_measures on columns(* exclude (period, period_type, village_code)) into name measure value value
union all
select period, period_type, village_code, measure, sum(value) as value
from (
    unpivot quarantine_measures on columns(* exclude (period, period_type, village_code))
    into name measure value value
)
group by all;
comment on macro table marts.village_measures is '粒度：每个（期间, 村, 度量）一行：构成指标的计数，截至 as_of。';
