-- grain: one row per (village, report month): the current, valid services record
create or replace macro staging.services(as_of) as table
with current_records as (
    select r.*, c.village_code, c.report_month, c.received_at, c.file_sha256
    from raw.services as r
    join staging.current_forms(as_of) as c
        on c.submission_id = r.submission_id and c.form = 'services'
    where not r.has_error
)

select * exclude (has_error)
from current_records;
comment on macro table staging.services is '粒度：每个（村, 报告期）一条当前有效的宣传服务记录。参数 as_of。';
