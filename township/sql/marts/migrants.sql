-- grain: one row per (village, report month): the current, valid 流动人口 record (a month-end stock)
create or replace view marts.migrants as
with records as (
    select *
    from staging.migrants(null)
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
    r.out_migrants,
    r.out_married_women,
    r.out_certified,
    r.out_contacted,
    r.in_migrants,
    r.in_married_women,
    r.submission_id,
    r.file_name,
    r.file_sha256,
    r.received_at,
    r.sheet,
    r.excel_row
from with_files as r
left join raw.villages as v using (village_code);

comment on view marts.migrants is '流动人口（月末存量）：粒度：每个（村, 报告期）一行，取当前版本的有效记录；有错误而隔离的记录不在此表（见 marts.quarantined_rows）。期间的存量取期间内该村最后一个上报月份。';
comment on column marts.migrants.village_code is '村代码（12位）';
comment on column marts.migrants.village_name is '村名';
comment on column marts.migrants.report_month is '报告期 YYYY-MM';
comment on column marts.migrants.periods is '该报告期所属的五个期间；存量指标取期间内最后一个上报月份，不可跨月相加';
comment on column marts.migrants.out_migrants is '流出人口数';
comment on column marts.migrants.out_married_women is '流出已婚育龄妇女数';
comment on column marts.migrants.out_certified is '已办婚育证明数';
comment on column marts.migrants.out_contacted is '定期联系数';
comment on column marts.migrants.in_migrants is '流入人口数';
comment on column marts.migrants.in_married_women is '流入已婚育龄妇女数';
comment on column marts.migrants.submission_id is '血缘：报送编号';
comment on column marts.migrants.file_name is '血缘：文件名';
comment on column marts.migrants.file_sha256 is '血缘：文件内容的 SHA-256';
comment on column marts.migrants.received_at is '血缘：该文件的收到时间';
comment on column marts.migrants.sheet is '血缘：工作表名';
comment on column marts.migrants.excel_row is '血缘：记录所在 Excel 行号（两列式为第一项所在行）';
