-- grain: one row per (person_key, category): the first approval across villages and months
-- the analysts' beneficiaries: staging.beneficiaries(null) with village names, periods and files
create or replace view marts.beneficiaries as
with counted as (
    select *
    from staging.beneficiaries(null)
),

with_files as (
    select
        c.*,
        s.file_name,
        s.received_at
    from counted as c
    join raw.submissions as s using (submission_id)
)

select
    b.person_key,
    b.id_masked,
    b.category,
    b.approved_on,
    strftime(b.approved_on, '%Y-%m') as approved_month,
    [p.period for p in staging.periods_of(b.approved_on)] as periods,
    b.village_code,
    v.village_name,
    b.n_reports::integer as n_reports,
    b.submission_id,
    b.file_name,
    b.file_sha256,
    b.report_month,
    b.received_at,
    b.sheet,
    b.excel_row
from with_files as b
left join raw.villages as v using (village_code);

comment on view marts.beneficiaries is '奖励扶助新增对象（去重后计入统计的）：粒度：每个（person_key, 类别）一行，按首次认定计入。无姓名，身份证号已脱敏。as_of 查询请用 staging.beneficiaries(as_of)。';
comment on column marts.beneficiaries.person_key is '身份证号的带密钥哈希：同一人在各表、各月相同，无法还原成号码';
comment on column marts.beneficiaries.id_masked is '身份证号（脱敏：前6位与后4位）';
comment on column marts.beneficiaries.category is '类别：农村奖励扶助 | 特别扶助 | 独女户高考加分';
comment on column marts.beneficiaries.approved_on is '认定日期（首次认定）';
comment on column marts.beneficiaries.approved_month is '认定月份 YYYY-MM（按认定日期计入期间）';
comment on column marts.beneficiaries.periods is '该对象计入的五个期间：月、季、年、统计年度、统计半年';
comment on column marts.beneficiaries.village_code is '计入的村（首次认定所在行的报送村）';
comment on column marts.beneficiaries.village_name is '计入的村名';
comment on column marts.beneficiaries.n_reports is '该对象被报告的行数';
comment on column marts.beneficiaries.submission_id is '血缘：报送编号';
comment on column marts.beneficiaries.file_name is '血缘：文件名';
comment on column marts.beneficiaries.file_sha256 is '血缘：文件内容的 SHA-256';
comment on column marts.beneficiaries.report_month is '血缘：该文件的报告期 YYYY-MM';
comment on column marts.beneficiaries.received_at is '血缘：该文件的收到时间';
comment on column marts.beneficiaries.sheet is '血缘：工作表名';
comment on column marts.beneficiaries.excel_row is '血缘：Excel 行号';
