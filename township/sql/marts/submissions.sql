-- grain: one row per received file version (report month, file sha256), rejected files included
-- status, counts and reason as sent back to the village, timeliness, and whether it is current
create or replace view marts.submissions as
with forms as (
    select
        submission_id,
        list(form order by form) as forms
    from raw.submission_forms
    group by all
),

versions as (
    select
        submission_id,
        list(form order by form) filter (is_current) as current_forms,
        bool_or(version_no > 1) as is_resubmission
    from marts.form_versions
    group by all
)

select
    s.submission_id,
    s.file_name,
    s.file_path,
    s.file_sha256,
    s.size_bytes,
    s.report_month,
    s.village_code,
    v.village_name,
    s.received_at,
    s.ingested_at,
    s.received_at < strptime(s.report_month, '%Y-%m') + interval 1 month + interval 5 day as on_time,
    s.status,
    s.reason_code,
    s.reason_zh,
    s.n_records,
    s.n_errors,
    s.n_warnings,
    coalesce(f.forms, []::varchar[]) as forms,
    coalesce(c.current_forms, []::varchar[]) as current_forms,
    len(coalesce(c.current_forms, [])) > 0 as is_current,
    len(coalesce(c.current_forms, [])) < len(coalesce(f.forms, [])) as is_superseded,
    coalesce(c.is_resubmission, false) as is_resubmission
from raw.submissions as s
left join raw.villages as v using (village_code)
left join forms as f using (submission_id)
left join versions as c using (submission_id);

comment on view marts.submissions is '报送文件：粒度：每个收到的文件版本一行（报告期 + 文件 SHA-256），含拒收的文件。状态、条数与拒收原因同发给村的校验报告；是否按时、是否为当前版本、是否为重新报送。';
comment on column marts.submissions.submission_id is '报送编号（由报告期与文件 SHA-256 决定）';
comment on column marts.submissions.file_name is '文件名';
comment on column marts.submissions.file_path is '文件在 raw 目录下的相对路径';
comment on column marts.submissions.file_sha256 is '文件内容的 SHA-256';
comment on column marts.submissions.size_bytes is '文件大小（字节）';
comment on column marts.submissions.report_month is '报告期 YYYY-MM（取自目录名）';
comment on column marts.submissions.village_code is '报送村代码；无法识别时为空（文件被拒收）';
comment on column marts.submissions.village_name is '报送村名';
comment on column marts.submissions.received_at is '收到时间（文件修改时间，镇所在时区）：决定版本先后与 as_of';
comment on column marts.submissions.ingested_at is '入库时间';
comment on column marts.submissions.on_time is '按时：在报告期次月5日（含）之前收到';
comment on column marts.submissions.status is '状态：accepted 通过 | accepted_with_warnings 有警告 | has_errors 有错误 | rejected 已拒收';
comment on column marts.submissions.reason_code is '拒收原因代码（英文）';
comment on column marts.submissions.reason_zh is '拒收原因（中文概括，不含文件中填写的内容）';
comment on column marts.submissions.n_records is '读到的记录数（含有错误的）';
comment on column marts.submissions.n_errors is '错误条数（见 marts.findings）';
comment on column marts.submissions.n_warnings is '警告条数（见 marts.findings）';
comment on column marts.submissions.forms is '文件包含的报表：births | contraception | migrants | beneficiaries | services';
comment on column marts.submissions.current_forms is '该文件仍是当前版本的报表（其余已被修改时间较晚的文件取代）';
comment on column marts.submissions.is_current is '至少有一张报表是当前版本';
comment on column marts.submissions.is_superseded is '至少有一张报表已被修改时间较晚的文件取代';
comment on column marts.submissions.is_resubmission is '重新报送：至少有一张报表此前已由同村同报告期的另一文件报过';
