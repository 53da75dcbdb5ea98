-- grain: one row per (village, report month, form, submission): every version of a form received
-- (staging.form_versions: a file holding the form); the latest received is current
create or replace view marts.form_versions as
with ranked as (
    select
        *,
        count(*) over (partition by village_code, report_month, form) as n_versions
    from staging.form_versions
)

select
    r.village_code,
    v.village_name,
    r.report_month,
    r.form,
    r.version_no::integer as version_no,
    r.n_versions::integer as n_versions,
    r.version_no = r.n_versions as is_current,
    r.submission_id,
    r.file_name,
    r.received_at,
    r.status,
    r.sheet,
    r.n_records
from ranked as r
left join raw.villages as v using (village_code);

comment on view marts.form_versions is '报表版本（重新报送）：粒度：每个（村, 报告期, 报表, 报送文件）一行，拒收的文件除外。同村同报告期同一报表以最后收到的文件为当前版本，早先的版本保留为历史。';
comment on column marts.form_versions.village_code is '村代码（12位）';
comment on column marts.form_versions.village_name is '村名';
comment on column marts.form_versions.report_month is '报告期 YYYY-MM';
comment on column marts.form_versions.form is '报表：births | contraception | migrants | beneficiaries | services';
comment on column marts.form_versions.version_no is '版本序号：1 为首次收到，按收到时间（再按文件名）排序';
comment on column marts.form_versions.n_versions is '该村该报告期该报表共收到的版本数（大于1即重新报送过）';
comment on column marts.form_versions.is_current is '当前版本（最后收到的）：统计只用当前版本';
comment on column marts.form_versions.submission_id is '报送编号';
comment on column marts.form_versions.file_name is '文件名';
comment on column marts.form_versions.received_at is '收到时间';
comment on column marts.form_versions.status is '文件状态：accepted | accepted_with_warnings | has_errors';
comment on column marts.form_versions.sheet is '工作表名（CSV 为文件名）';
comment on column marts.form_versions.n_records is '该表读到的记录数';
