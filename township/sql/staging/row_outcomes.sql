-- grain: one row per data row of any form of the files received by as_of (generated from
-- schemas/forms.yaml), with what became of it: counted | outside_period (counted, in an earlier
-- statistical year than its file's report month) | repeated (the village sent the same fact in
-- another file, and that row counts) | duplicate (the same file, or another village, counts it)
-- | superseded (a file of the village saved later replaced the form) | quarantined (an error)
create or replace macro staging.row_outcomes(as_of) as table
with known as (
    select submission_id, village_code, report_month
    from raw.submissions
    where status <> 'rejected'
      and received_at <= coalesce(as_of::timestamp, 'infinity'::timestamp)
),

current_versions as (
    select submission_id, form
    from staging.current_forms(as_of)
),
{%- for form in person_forms %}

{{ form.name }}_rows as (
    select
        '{{ form.name }}' as form, r.submission_id, r.sheet, r.excel_row, r.has_error,
        r.{{ form.dated_by }} as event_date,
        p.submission_id as picked_submission, p.sheet as picked_sheet,
        p.excel_row as picked_row, p.village_code as picked_village
    from raw.{{ form.name }} as r
    left join staging.{{ form.name }}(as_of) as p using ({{ form.person_key.columns | join(', ') }})
),
{%- endfor %}

person_rows as (
{%- for form in person_forms %}
    select * from {{ form.name }}_rows
    {{- '\n    union all' if not loop.last }}
{%- endfor %}
),

record_rows as (
    select r.form, r.submission_id, r.sheet, r.excel_row, r.has_error
    from staging.form_rows as r
    where r.form in ({{ names(record_forms) }})
),

classified as (
    select
        r.form, r.submission_id, r.sheet, r.excel_row, k.village_code, k.report_month,
        case
            when c.submission_id is null then 'superseded'
            when r.has_error then 'quarantined'
            when (r.picked_submission, r.picked_sheet, r.picked_row)
                = (r.submission_id, r.sheet, r.excel_row)
                then case
                    when staging.statistical_year(r.event_date)
                        < staging.statistical_year(strptime(k.report_month, '%Y-%m')) then 'outside_period'
                    else 'counted'
                end
            when r.picked_village = k.village_code and r.picked_submission <> r.submission_id then 'repeated'
            when r.picked_submission is not null then 'duplicate'
        end as outcome
    from person_rows as r
    join known as k using (submission_id)
    left join current_versions as c using (submission_id, form)
    union all
    select
        r.form, r.submission_id, r.sheet, r.excel_row, k.village_code, k.report_month,
        case
            when c.submission_id is null then 'superseded'
            when r.has_error then 'quarantined'
            else 'counted'
        end
    from record_rows as r
    join known as k using (submission_id)
    left join current_versions as c using (submission_id, form)
)

select *
from classified;
comment on macro table staging.row_outcomes is '粒度：截至 as_of 收到的文件中任一报表的每一数据行及其去向：counted 计入 | outside_period 计入往年 | repeated 重复报送 | duplicate 重复记录 | superseded 已被替换 | quarantined 隔离。参数 as_of。';
