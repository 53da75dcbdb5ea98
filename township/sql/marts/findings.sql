-- grain: one row per finding (rule broken) in a received file; no submitted values, no wording
-- (both can quote ID numbers: they stay in restricted.findings, for the reports to villages)
create or replace view marts.findings as
with located as (
    select
        f.*,
        sf.form,
        s.report_month,
        s.village_code,
        s.file_name,
        s.received_at
    from raw.findings as f
    join raw.submissions as s using (submission_id)
    left join raw.submission_forms as sf
        on sf.submission_id = f.submission_id and sf.sheet = f.sheet
),

current_versions as (
    select submission_id, form
    from staging.current_forms(null)
)

select
    l.submission_id,
    l.finding_no,
    l.village_code,
    v.village_name,
    l.report_month,
    l.file_name,
    l.received_at,
    l.form,
    l.sheet,
    l.excel_row,
    l.cell,
    l.field,
    l.rule_id,
    l.severity,
    exists (
        select 1
        from current_versions as c
        where c.submission_id = l.submission_id and (l.form is null or c.form = l.form)
    ) as is_current_version
from located as l
left join raw.villages as v using (village_code);

comment on view marts.findings is '校验发现：粒度：每个收到的文件中每条问题（违反的规则）一行。不含填报值与中文说明（可能含身份证号，只在受限层用于回复各村）。规则说明见 township/rules/catalog.yaml。';
comment on column marts.findings.submission_id is '报送编号';
comment on column marts.findings.finding_no is '该文件内的问题序号';
comment on column marts.findings.village_code is '报送村代码';
comment on column marts.findings.village_name is '报送村名';
comment on column marts.findings.report_month is '报告期 YYYY-MM';
comment on column marts.findings.file_name is '文件名';
comment on column marts.findings.received_at is '文件的收到时间';
comment on column marts.findings.form is '报表：births | contraception | migrants | beneficiaries | services；整个文件的问题为空';
comment on column marts.findings.sheet is '工作表名';
comment on column marts.findings.excel_row is 'Excel 行号';
comment on column marts.findings.cell is '单元格（A1 形式，如 E7）';
comment on column marts.findings.field is '字段（英文规范名）';
comment on column marts.findings.rule_id is '规则编号（见 township/rules/catalog.yaml）';
comment on column marts.findings.severity is 'error 错误（该行隔离，不计入统计）| warning 警告（照常计入）';
comment on column marts.findings.is_current_version is '问题所在报表仍是当前版本（未被重新报送取代）';
