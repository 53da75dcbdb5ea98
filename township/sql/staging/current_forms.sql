-- grain: one row per (village, report month, form): the version current at as_of (contract §3)
-- the latest received file holding the form wins (staging.form_versions says which files hold
-- it); earlier versions stay in raw as history
create or replace macro staging.current_forms(as_of) as table
with known as (
    select *
    from staging.form_versions
    where received_at <= coalesce(as_of::timestamp, 'infinity'::timestamp)
),

ranked as (
    select
        *,
        row_number() over (
            partition by village_code, report_month, form
            order by received_at desc, file_name desc
        ) as version_rank,
        count(*) over (partition by village_code, report_month, form) as n_versions
    from known
)

select
    village_code, report_month, form, submission_id, file_sha256, file_name, sheet,
    received_at, n_versions
from ranked
where version_rank = 1;
comment on macro table staging.current_forms is '粒度：每个（村, 报告期, 报表）一行——截至 as_of 的当前版本（最晚收到的、含该表的文件，见 staging.form_versions）。参数 as_of：时间点，null 为全部。';
