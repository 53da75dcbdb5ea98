-- grain: one row per (source row, measure): the counts every indicator is built from, defined
-- once, here, row by row. marts.village_measures sums them over periods, and
-- marts.indicator_lineage lists them: a figure and the rows behind it cannot disagree.
-- Events count in the period of their own date (a birth's, an approval's; a one-record form's
-- report month); stocks are the figure of the last month a village reported in the period
-- (staging.period_measure_rows). A one-record form's fields and sums are measures of their own
-- names, of the kind schemas/forms.yaml gives them; a person form's measures are written below.
create or replace macro staging.measure_rows(as_of) as table
with counted_births as materialized (
    select *
    from staging.births(as_of)
),

births as (
    select
        village_code, submission_id, sheet, excel_row, birth_date as event_date,
        1 as births_total,
        (child_sex = '男')::integer as births_male,
        (child_sex = '女')::integer as births_female,
        (parity = 1)::integer as births_parity_1,
        (parity = 2)::integer as births_parity_2,
        (parity >= 3)::integer as births_parity_3plus,
        in_policy::integer as births_in_policy,
        (not in_policy)::integer as births_out_of_policy,
        (not in_policy and parity = 2)::integer as births_out_of_policy_parity_2,
        (not in_policy and parity >= 3)::integer as births_out_of_policy_parity_3plus,
        (first_report_month > strftime(birth_date, '%Y-%m'))::integer as births_late_reported,
        (in_policy and parity = 1)::integer as births_in_policy_parity_1,
        (in_policy and parity = 2)::integer as births_in_policy_parity_2,
        (in_policy and parity >= 3)::integer as births_in_policy_parity_3plus
    from counted_births
),

-- births of an earlier statistical year, counted in the period their village first reported them
births_reported_late as (
    select
        village_code, submission_id, sheet, excel_row,
        strptime(first_report_month, '%Y-%m')::date as event_date,
        'births_earlier_years_reported' as measure, 1 as value
    from counted_births
    where staging.statistical_year(birth_date)
        < staging.statistical_year(strptime(first_report_month, '%Y-%m'))
),

beneficiaries as (
    select
        village_code, submission_id, sheet, excel_row, approved_on as event_date,
        (category = '农村奖励扶助')::integer as new_reward_recipients,
        (category = '特别扶助')::integer as new_special_assistance,
        (category = '独女户高考加分')::integer as new_only_daughter_bonus
    from staging.beneficiaries(as_of)
),

person_measures as (
    unpivot births
    on columns(* exclude (village_code, submission_id, sheet, excel_row, event_date))
    into name measure value value
    union all
    unpivot beneficiaries
    on columns(* exclude (village_code, submission_id, sheet, excel_row, event_date))
    into name measure value value
),
{%- for form in record_forms %}

{{ form.name }}_measures as (
    select
        village_code, submission_id, sheet, excel_row,
        strptime(report_month, '%Y-%m')::date as event_date,
        unnest([
{%- for field in form.fields %}
            {'kind': '{{ field.measure }}', 'measure': '{{ field.name }}', 'value': {{ field.name }}::bigint},
{%- endfor %}
{%- for total in form.sums %}
            {'kind': '{{ form.sum_measure(total) }}', 'measure': '{{ total.name }}', 'value': {{ total.name }}::bigint},
{%- endfor %}
        ], recursive := true)
    from staging.{{ form.name }}(as_of)
),
{%- endfor %}

quality as (
    select
        village_code, submission_id, sheet, excel_row,
        strptime(report_month, '%Y-%m')::date as event_date,
        case when outcome = 'quarantined' then 'rows_quarantined' else 'duplicates_removed' end
            as measure
    from staging.row_outcomes(as_of)
    where outcome in ('quarantined', 'repeated', 'duplicate')
)

select village_code, submission_id, sheet, excel_row, event_date, 'event' as kind, measure, value::bigint as value
from person_measures
where value <> 0
union all
select village_code, submission_id, sheet, excel_row, event_date, 'event', measure, value
from births_reported_late
{%- for form in record_forms %}
union all
select village_code, submission_id, sheet, excel_row, event_date, kind, measure, value
from {{ form.name }}_measures
{%- endfor %}
union all
select village_code, submission_id, sheet, excel_row, event_date, 'event', measure, 1
from quality;
comment on macro table staging.measure_rows is '粒度：每个（源数据行, 度量）一行：构成指标的计数在此逐行定义一次（出生、奖扶、各单条记录表的各项、节育措施的两项合计、隔离与重复的行）；指标与其血缘都读它。参数 as_of。';
