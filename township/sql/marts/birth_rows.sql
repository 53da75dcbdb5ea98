-- grain: one row per data row of every received 出生登记 sheet: every version, valid or quarantined
-- what became of each row (staging.row_outcomes, told more briefly): counted, a duplicate
-- (counted once elsewhere), quarantined, superseded
create or replace view marts.birth_rows as
with outcomes as (
    select submission_id, sheet, excel_row, outcome
    from staging.row_outcomes(null)
    where form = 'births'
),

rows as (
    select
        r.*,
        s.file_name,
        s.report_month,
        s.village_code,
        s.received_at,
        s.status as submission_status,
        o.outcome <> 'superseded' as is_current_version,
        o.outcome in ('counted', 'outside_period') as counted,
        case
            when o.outcome in ('counted', 'outside_period') then 'counted'
            when o.outcome in ('repeated', 'duplicate') then 'duplicate'
            else o.outcome
        end as outcome
    from raw.births as r
    join raw.submissions as s using (submission_id)
    join outcomes as o using (submission_id, sheet, excel_row)
)

select
    r.submission_id,
    r.file_name,
    r.sheet,
    r.excel_row,
    r.report_month,
    r.village_code,
    v.village_name,
    r.received_at,
    r.submission_status,
    r.person_key,
    r.mother_id_masked,
    r.birth_date,
    r.parity,
    r.child_sex,
    r.in_policy,
    r.residence,
    r.has_error,
    r.is_current_version,
    r.counted,
    r.outcome
from rows as r
left join raw.villages as v using (village_code);

comment on view marts.birth_rows is '出生登记的每一行及其去向：粒度：每个收到的文件版本的出生登记表的每一数据行（含有错误而隔离的行、已被新版本取代的行）。用于追查重复、隔离与重新报送。';
comment on column marts.birth_rows.submission_id is '报送编号';
comment on column marts.birth_rows.file_name is '文件名';
comment on column marts.birth_rows.sheet is '工作表名';
comment on column marts.birth_rows.excel_row is 'Excel 行号';
comment on column marts.birth_rows.report_month is '文件的报告期 YYYY-MM';
comment on column marts.birth_rows.village_code is '报送村代码';
comment on column marts.birth_rows.village_name is '报送村名';
comment on column marts.birth_rows.received_at is '文件的收到时间';
comment on column marts.birth_rows.submission_status is '文件的状态：accepted | accepted_with_warnings | has_errors | rejected';
comment on column marts.birth_rows.person_key is '母亲身份证号的带密钥哈希';
comment on column marts.birth_rows.mother_id_masked is '母亲身份证号（脱敏）';
comment on column marts.birth_rows.birth_date is '出生日期（原样解析，可能为空或有误）';
comment on column marts.birth_rows.parity is '孩次';
comment on column marts.birth_rows.child_sex is '婴儿性别';
comment on column marts.birth_rows.in_policy is '是否符合政策';
comment on column marts.birth_rows.residence is '流动性质';
comment on column marts.birth_rows.has_error is '该行有错误（见 marts.findings）：隔离，不计入统计';
comment on column marts.birth_rows.is_current_version is '该文件是该村该报告期出生登记的当前版本（未被修改时间较晚的文件取代）';
comment on column marts.birth_rows.counted is '该行就是 marts.births 中计入统计的那一行';
comment on column marts.birth_rows.outcome is '去向：counted 计入 | duplicate 重复（同一出生已由另一行计入）| quarantined 隔离（有错误）| superseded 已被新版本取代';
