-- grain: one row per source row behind an indicator value: (period, org, indicator) → file, sheet, Excel row
-- event and stock indicators only; data-quality indicators trace to raw.submissions directly
create or replace macro marts.indicator_lineage(p_period, p_org_code, p_indicator, as_of := null) as table
with births as (
    select
        b.village_code, b.submission_id, b.sheet, b.excel_row, b.birth_date as event_date,
        case p_indicator
            when 'births_male' then b.child_sex = '男'
            when 'births_female' then b.child_sex = '女'
            when 'births_parity_1' then b.parity = 1
            when 'births_parity_2' then b.parity = 2
            when 'births_parity_3plus' then b.parity >= 3
            when 'births_in_policy' then b.in_policy
            when 'births_out_of_policy' then not b.in_policy
            when 'births_out_of_policy_parity_2' then not b.in_policy and b.parity = 2
            when 'births_out_of_policy_parity_3plus' then not b.in_policy and b.parity >= 3
            when 'births_late_reported' then b.first_report_month > strftime(b.birth_date, '%Y-%m')
            else p_indicator in ('births_total', 'policy_compliance_rate', 'sex_ratio_at_birth')
        end as behind
    from staging.births(as_of) as b
),

beneficiaries as (
    select
        b.village_code, b.submission_id, b.sheet, b.excel_row, b.approved_on as event_date,
        case p_indicator
            when 'new_reward_recipients' then b.category = '农村奖励扶助'
            when 'new_special_assistance' then b.category = '特别扶助'
            when 'new_only_daughter_bonus' then b.category = '独女户高考加分'
            else false
        end as behind
    from staging.beneficiaries(as_of) as b
),

records as (
    select village_code, submission_id, sheet, excel_row, report_month, 'services' as form
    from staging.services(as_of)
    union all
    select village_code, submission_id, sheet, excel_row, report_month, 'contraception'
    from staging.contraception(as_of)
    union all
    select village_code, submission_id, sheet, excel_row, report_month, 'migrants'
    from staging.migrants(as_of)
),

record_forms as (
    select code, case
        when numerator in ('leaflets', 'slogans', 'posters', 'consultations', 'checkups_done',
                           'follow_up_visits', 'two_non_cases') then 'services'
        when numerator in ('married_women', 'contraceptive_users', 'long_acting_users') then 'contraception'
        when numerator in ('out_migrants', 'out_married_women', 'out_certified', 'out_contacted',
                           'in_migrants') then 'migrants'
    end as form, kind
    from marts.indicator_catalog
),

record_rows as (
    select r.*, f.kind
    from records as r
    join record_forms as f on f.code = p_indicator and f.form = r.form
    where list_contains(
        list_transform(staging.periods_of(strptime(r.report_month, '%Y-%m')::date), x -> x.period), p_period
    )
    -- a stock is the last month each village reported in the period
    qualify f.kind <> 'stock'
        or r.report_month = max(r.report_month) over (partition by r.village_code)
),

event_rows as (
    select village_code, submission_id, sheet, excel_row
    from (select * from births union all select * from beneficiaries)
    where behind
      and list_contains(list_transform(staging.periods_of(event_date), x -> x.period), p_period)
    union all
    select village_code, submission_id, sheet, excel_row
    from record_rows
)

select
    p_period as period, p_org_code as org_code, p_indicator as indicator,
    e.village_code, v.village_name, s.file_name, s.file_path, s.file_sha256, e.submission_id,
    e.sheet, e.excel_row, s.received_at
from event_rows as e
join raw.villages as v using (village_code)
join raw.submissions as s using (submission_id)
where p_org_code in (e.village_code, v.township_code)
order by e.village_code, s.file_name, e.sheet, e.excel_row;
comment on macro table marts.indicator_lineage is '粒度：某个指标值背后的每一源数据行（文件、工作表、Excel 行）。参数：期间、单位代码、指标代码、as_of。';
