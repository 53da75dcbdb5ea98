-- grain: one row per counted birth (mother person_key, birth_date, parity), current versions only
-- the analysts' births: staging.births(null) with the village's name, the periods the birth
-- counts in, and the file, sheet and Excel row it was taken from; no names, masked IDs only
create or replace view marts.births as
with counted as (
    select *
    from staging.births(null)
),

with_files as (
    select
        c.*,
        s.file_name,
        s.report_month,
        s.received_at
    from counted as c
    join raw.submissions as s using (submission_id)
)

select
    b.person_key,
    b.mother_id_masked,
    b.birth_date,
    strftime(b.birth_date, '%Y-%m') as birth_month,
    [p.period for p in staging.periods_of(b.birth_date)] as periods,
    b.parity,
    b.child_sex,
    b.in_policy,
    b.residence,
    b.village_code,
    v.village_name,
    b.first_report_month,
    b.first_received_at,
    b.first_report_month > strftime(b.birth_date, '%Y-%m') as late_reported,
    b.n_reports::integer as n_reports,
    b.n_villages::integer as n_villages,
    b.submission_id,
    b.file_name,
    b.file_sha256,
    b.report_month,
    b.received_at,
    b.sheet,
    b.excel_row
from with_files as b
left join raw.villages as v using (village_code);

comment on view marts.births is '出生（去重后计入统计的）：粒度：每个出生一行（母亲 person_key, 出生日期, 孩次），跨村跨月去重，只含当前版本的有效行。无姓名，身份证号已脱敏。as_of 查询请用 staging.births(as_of)。';
comment on column marts.births.person_key is '母亲身份证号的带密钥哈希：同一人在各表、各月相同，无法还原成号码';
comment on column marts.births.mother_id_masked is '母亲身份证号（脱敏：前6位与后4位）';
comment on column marts.births.birth_date is '出生日期';
comment on column marts.births.birth_month is '出生月份 YYYY-MM（出生按出生日期计入期间）';
comment on column marts.births.periods is '该出生计入的五个期间：月、季、年、统计年度、统计半年，如 [2026-03, 2026Q1, 2026, SY2026, SY2026H1]；用 list_contains(periods, ''SY2026H1'') 筛选';
comment on column marts.births.parity is '孩次 1, 2, 3…';
comment on column marts.births.child_sex is '婴儿性别：男 | 女';
comment on column marts.births.in_policy is '是否符合政策（未填视为符合）';
comment on column marts.births.residence is '流动性质：户籍 | 流入 | 流出';
comment on column marts.births.village_code is '计入的村（12位代码）：两村都报时计入非“流入”的村，仍相同则计入最早报送的村';
comment on column marts.births.village_name is '计入的村名';
comment on column marts.births.first_report_month is '首次报告该出生的报告期 YYYY-MM';
comment on column marts.births.first_received_at is '首次收到该出生的时间';
comment on column marts.births.late_reported is '迟报：首次报告期晚于出生月份';
comment on column marts.births.n_reports is '该出生被报告的行数（累计报表、重复行、多村报告都计在内）';
comment on column marts.births.n_villages is '报告该出生的村数（大于1即多村重复报告）';
comment on column marts.births.submission_id is '血缘：取值所在的报送编号（计入村最近一次收到的那一行）';
comment on column marts.births.file_name is '血缘：文件名';
comment on column marts.births.file_sha256 is '血缘：文件内容的 SHA-256';
comment on column marts.births.report_month is '血缘：该文件的报告期 YYYY-MM';
comment on column marts.births.received_at is '血缘：该文件的收到时间';
comment on column marts.births.sheet is '血缘：工作表名';
comment on column marts.births.excel_row is '血缘：Excel 行号';
