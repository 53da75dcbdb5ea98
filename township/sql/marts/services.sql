-- grain: one row per (village, report month): the current, valid 宣传服务 record (the month's events)
create or replace view marts.services as
with records as (
    select *
    from staging.services(null)
),

with_files as (
    select
        r.*,
        s.file_name
    from records as r
    join raw.submissions as s using (submission_id)
)

select
    r.village_code,
    v.village_name,
    r.report_month,
    [p.period for p in staging.periods_of(strptime(r.report_month, '%Y-%m')::date)] as periods,
    r.leaflets,
    r.slogans,
    r.posters,
    r.consultations,
    r.checkups_due,
    r.checkups_done,
    r.follow_up_visits,
    r.two_non_cases,
    r.submission_id,
    r.file_name,
    r.file_sha256,
    r.received_at,
    r.sheet,
    r.excel_row
from with_files as r
left join raw.villages as v using (village_code);

comment on view marts.services is '宣传服务（本月发生数）：粒度：每个（村, 报告期）一行，取当前版本的有效记录；有错误而隔离的记录不在此表（见 marts.quarantined_rows）。期间的值为期间内各月之和。';
comment on column marts.services.village_code is '村代码（12位）';
comment on column marts.services.village_name is '村名';
comment on column marts.services.report_month is '报告期 YYYY-MM';
comment on column marts.services.periods is '该报告期所属的五个期间（发生数按报告期累加）';
comment on column marts.services.leaflets is '宣传资料份数';
comment on column marts.services.slogans is '标语条数';
comment on column marts.services.posters is '宣传挂图';
comment on column marts.services.consultations is '咨询人次';
comment on column marts.services.checkups_due is '三查应查人数';
comment on column marts.services.checkups_done is '三查实查人数';
comment on column marts.services.follow_up_visits is '随访人次';
comment on column marts.services.two_non_cases is '两非案件数';
comment on column marts.services.submission_id is '血缘：报送编号';
comment on column marts.services.file_name is '血缘：文件名';
comment on column marts.services.file_sha256 is '血缘：文件内容的 SHA-256';
comment on column marts.services.received_at is '血缘：该文件的收到时间';
comment on column marts.services.sheet is '血缘：工作表名';
comment on column marts.services.excel_row is '血缘：记录所在 Excel 行号（两列式为第一项所在行）';
