-- grain: one row per quarantined row or record (has an error) of a received file, every version:
-- a person form's rows (their errors by row), a one-record form's record (its sheet's errors)
create or replace view marts.quarantined_rows as
with quarantined as (
    select form, submission_id, sheet, excel_row
    from staging.form_rows
    where has_error
),

errors_by_row as (
    select
        submission_id, sheet, excel_row,
        string_agg(distinct rule_id, ', ' order by rule_id) as rule_ids,
        count(*) as n_errors
    from raw.findings
    where severity = 'error'
    group by all
),

errors_by_sheet as (
    select
        submission_id, sheet,
        string_agg(distinct rule_id, ', ' order by rule_id) as rule_ids,
        count(*) as n_errors
    from raw.findings
    where severity = 'error'
    group by all
),

current_versions as (
    select submission_id, form
    from staging.current_forms(null)
)

select
    q.form,
    s.village_code,
    v.village_name,
    s.report_month,
    q.submission_id,
    s.file_name,
    s.received_at,
    q.sheet,
    q.excel_row,
    case when q.form in ({{ names(person_forms) }}) then r.rule_ids else k.rule_ids end as rule_ids,
    case when q.form in ({{ names(person_forms) }}) then r.n_errors else k.n_errors end::integer
        as n_errors,
    c.submission_id is not null as is_current_version
from quarantined as q
join raw.submissions as s using (submission_id)
left join raw.villages as v using (village_code)
left join errors_by_row as r using (submission_id, sheet, excel_row)
left join errors_by_sheet as k using (submission_id, sheet)
left join current_versions as c using (submission_id, form);

comment on view marts.quarantined_rows is '隔离的行：粒度：每个收到的文件中有错误的每一行（出生登记、奖励扶助）或每条记录（节育措施、流动人口、宣传服务），各版本都在。is_current_version 为真的仍在等待村重新报送；为假的已被新版本取代。';
comment on column marts.quarantined_rows.form is '报表：births | beneficiaries | contraception | migrants | services';
comment on column marts.quarantined_rows.village_code is '报送村代码';
comment on column marts.quarantined_rows.village_name is '报送村名';
comment on column marts.quarantined_rows.report_month is '报告期 YYYY-MM';
comment on column marts.quarantined_rows.submission_id is '报送编号';
comment on column marts.quarantined_rows.file_name is '文件名';
comment on column marts.quarantined_rows.received_at is '文件的收到时间';
comment on column marts.quarantined_rows.sheet is '工作表名';
comment on column marts.quarantined_rows.excel_row is 'Excel 行号（一条记录的表为记录所在的第一行）';
comment on column marts.quarantined_rows.rule_ids is '该行（一条记录的表：该表）违反的错误规则编号，以逗号分隔';
comment on column marts.quarantined_rows.n_errors is '错误条数';
comment on column marts.quarantined_rows.is_current_version is '该文件仍是这张报表的当前版本：该行仍被隔离、等待重新报送';
