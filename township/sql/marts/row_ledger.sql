-- grain: one row per (received file, form): where every data row read went; the counts balance:
-- rows_read = counted + outside_period + repeated + duplicates + superseded + quarantined + in_refused_file
-- a row of a person form is counted where staging picks it for its person (births: mother, date,
-- parity; beneficiaries: person, category); another valid row of the same person is repeated
-- (the same village sent it in another file: a cumulative register) or a duplicate (the same
-- file, or another village); a one-record form's record is counted when its version is current
create or replace view marts.row_ledger as
with current_versions as (
    select submission_id, form
    from staging.current_forms(null)
),

picked_births as (
    select person_key, birth_date, parity, village_code, submission_id, sheet, excel_row
    from staging.births(null)
),

picked_beneficiaries as (
    select person_key, category, village_code, submission_id, sheet, excel_row
    from staging.beneficiaries(null)
),

person_rows as (
    select
        'births' as form, r.submission_id, r.sheet, r.excel_row, r.has_error, r.birth_date as event_date,
        p.submission_id as picked_submission, p.sheet as picked_sheet, p.excel_row as picked_row,
        p.village_code as picked_village
    from raw.births as r
    left join picked_births as p using (person_key, birth_date, parity)
    union all
    select
        'beneficiaries', r.submission_id, r.sheet, r.excel_row, r.has_error, r.approved_on,
        p.submission_id, p.sheet, p.excel_row, p.village_code
    from raw.beneficiaries as r
    left join picked_beneficiaries as p using (person_key, category)
),

record_rows as (
    select 'contraception' as form, submission_id, has_error from raw.contraception
    union all
    select 'migrants', submission_id, has_error from raw.migrants
    union all
    select 'services', submission_id, has_error from raw.services
),

classified as (
    select
        r.form, r.submission_id,
        case
            when c.submission_id is null then 'superseded'
            when r.has_error then 'quarantined'
            when (r.picked_submission, r.picked_sheet, r.picked_row) = (r.submission_id, r.sheet, r.excel_row)
                then case
                    when staging.statistical_year(r.event_date)
                        < staging.statistical_year(strptime(s.report_month, '%Y-%m')) then 'outside_period'
                    else 'counted'
                end
            when r.picked_village = s.village_code and r.picked_submission <> r.submission_id then 'repeated'
            when r.picked_submission is not null then 'duplicate'
        end as outcome
    from person_rows as r
    join raw.submissions as s using (submission_id)
    left join current_versions as c using (submission_id, form)
    union all
    select
        r.form, r.submission_id,
        case
            when c.submission_id is null then 'superseded'
            when r.has_error then 'quarantined'
            else 'counted'
        end
    from record_rows as r
    left join current_versions as c using (submission_id, form)
),

outcomes as (
    select
        submission_id, form,
        count(*) filter (outcome = 'counted') as counted,
        count(*) filter (outcome = 'outside_period') as outside_period,
        count(*) filter (outcome = 'repeated') as repeated,
        count(*) filter (outcome = 'duplicate') as duplicates,
        count(*) filter (outcome = 'superseded') as superseded,
        count(*) filter (outcome = 'quarantined') as quarantined
    from classified
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
comment on column marts.row_ledger.superseded is '已被替换的行数：本村后来报送的文件替换了这张报表';
comment on column marts.row_ledger.quarantined is '隔离的行数：有错误，改正后重新报送才计入';
comment on column marts.row_ledger.in_refused_file is '文件被拒收而未计入的行数';
