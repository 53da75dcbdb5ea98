-- grain: one row per (village, report month): the current, valid 节育措施 record (a month-end stock)
create or replace view marts.contraception as
with records as (
    select *
    from staging.contraception(null)
),

sums as (
    select submission_id, sheet, excel_row, contraceptive_users, long_acting_users
    from staging.contraception_users(null)
),

with_files as (
    select
        r.*,
        u.contraceptive_users,
        u.long_acting_users,
        s.file_name
    from records as r
    join sums as u using (submission_id, sheet, excel_row)
    join raw.submissions as s using (submission_id)
)

select
    r.village_code,
    v.village_name,
    r.report_month,
    [p.period for p in staging.periods_of(strptime(r.report_month, '%Y-%m')::date)] as periods,
    r.married_women,
    r.iud,
    r.implant,
    r.female_sterilization,
    r.male_sterilization,
    r.pill,
    r.condom,
    r.other_method,
    r.no_method,
    r.contraceptive_users,
    r.long_acting_users,
    r.submission_id,
    r.file_name,
    r.file_sha256,
    r.received_at,
    r.sheet,
    r.excel_row
from with_files as r
left join raw.villages as v using (village_code);

comment on view marts.contraception is '节育措施（月末存量）：粒度：每个（村, 报告期）一行，取当前版本的有效记录；有错误而隔离的记录不在此表（见 marts.quarantined_rows）。期间的存量取期间内该村最后一个上报月份。';
comment on column marts.contraception.village_code is '村代码（12位）';
comment on column marts.contraception.village_name is '村名';
comment on column marts.contraception.report_month is '报告期 YYYY-MM';
comment on column marts.contraception.periods is '该报告期所属的五个期间；存量指标取期间内最后一个上报月份，不可跨月相加';
comment on column marts.contraception.married_women is '已婚育龄妇女数';
comment on column marts.contraception.iud is '上环';
comment on column marts.contraception.implant is '皮埋';
comment on column marts.contraception.female_sterilization is '女扎';
comment on column marts.contraception.male_sterilization is '男扎';
comment on column marts.contraception.pill is '口服药';
comment on column marts.contraception.condom is '避孕套';
comment on column marts.contraception.other_method is '其他';
comment on column marts.contraception.no_method is '未避孕';
comment on column marts.contraception.contraceptive_users is '避孕人数：各种措施之和（指标 contraceptive_users 的分子）';
comment on column marts.contraception.long_acting_users is '长效措施人数：上环 + 皮埋 + 女扎 + 男扎';
comment on column marts.contraception.submission_id is '血缘：报送编号';
comment on column marts.contraception.file_name is '血缘：文件名';
comment on column marts.contraception.file_sha256 is '血缘：文件内容的 SHA-256';
comment on column marts.contraception.received_at is '血缘：该文件的收到时间';
comment on column marts.contraception.sheet is '血缘：工作表名';
comment on column marts.contraception.excel_row is '血缘：记录所在 Excel 行号（两列式为第一项所在行）';
