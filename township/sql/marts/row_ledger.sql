-- grain: one row per (received file, form): where every data row read went (staging.row_outcomes);
-- the counts balance: rows_read = counted + outside_period + repeated + duplicates + superseded
-- + quarantined + in_refused_file
create or replace view marts.row_ledger as
with outcomes as (
    select
        submission_id, form,
        count(*) filter (outcome = 'counted') as counted,
        count(*) filter (outcome = 'outside_period') as outside_period,
        count(*) filter (outcome = 'repeated') as repeated,
        count(*) filter (outcome = 'duplicate') as duplicates,
        count(*) filter (outcome = 'superseded') as superseded,
        count(*) filter (outcome = 'quarantined') as quarantined
    from staging.row_outcomes(null)
    group by all
)

select
    f.submission_id, f.form, f.sheet, s.village_code, s.report_month, s.file_name, s.file_path,
    f.n_records as rows_read,
    coalesce(o.counted, 0)::integer as counted,
    coalesce(o.outside_period, 0)::integer as outside_period,
    coalesce(o.repeated, 0)::integer as repeated,
    coalesce(o.duplicates, 0)::integer as duplicates,
    coalesce(o.superseded, 0)::integer as superseded,
    coalesce(o.quarantined, 0)::integer as quarantined,
    (case when s.status = 'rejected' then f.n_records else 0 end)::integer as in_refused_file
from raw.submission_forms as f
join raw.submissions as s using (submission_id)
left join outcomes as o using (submission_id, form);

comment on view marts.row_ledger is '行台账：粒度：每个收到的文件的每张报表一行。读到的行数 = 计入 + 计入往年 + 重复报送 + 重复记录 + 已被替换 + 隔离 + 文件被拒收，逐项可核对。';
comment on column marts.row_ledger.submission_id is '报送编号';
comment on column marts.row_ledger.form is '报表：births | beneficiaries | contraception | migrants | services';
comment on column marts.row_ledger.sheet is '工作表名（CSV 为文件名）';
comment on column marts.row_ledger.village_code is '报送村代码';
comment on column marts.row_ledger.report_month is '报告期 YYYY-MM';
comment on column marts.row_ledger.file_name is '文件名';
comment on column marts.row_ledger.file_path is '文件在 raw 目录下的相对路径';
comment on column marts.row_ledger.rows_read is '读到的数据行数（一条记录的表为 0 或 1）';
comment on column marts.row_ledger.counted is '计入统计的行数（本统计年度）';
comment on column marts.row_ledger.outside_period is '计入往年的行数：事件日期在报告期所属统计年度之前（跨年度迟报），按日期计入该年度';
comment on column marts.row_ledger.repeated is '重复报送的行数：同一人已由本村另一文件报送并计入（如累计花名册）';
comment on column marts.row_ledger.duplicates is '重复记录的行数：同一人在本文件中重复，或已由其他村报送并计入';
comment on column marts.row_ledger.superseded is '已被替换的行数：本村修改时间较晚的文件替换了这张报表';
comment on column marts.row_ledger.quarantined is '隔离的行数：有错误，改正后重新报送才计入';
comment on column marts.row_ledger.in_refused_file is '文件被拒收而未计入的行数';
