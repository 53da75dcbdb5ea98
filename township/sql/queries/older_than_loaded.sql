-- grain: one row per (submission of the load, form) whose form is not current because a version
-- received later (by modification time, contract §3) was loaded by an earlier ingest: a
-- correction saved with an older modification time, which would otherwise be taken for used
with versions as (
    select village_code, report_month, form, submission_id, sheet, received_at, version_no
    from staging.form_versions
),

loaded as (
    select unnest(?::varchar[]) as submission_id
),

superseded as (
    select
        n.submission_id, n.form, n.sheet, n.received_at,
        l.submission_id as later_id, l.received_at as later_received_at
    from versions as n
    join versions as l
        on l.village_code = n.village_code
        and l.report_month = n.report_month
        and l.form = n.form
        and l.version_no > n.version_no
    where n.submission_id in (select submission_id from loaded)
      and l.submission_id not in (select submission_id from loaded)
      -- a later version in this load replaces it as any later file does: nothing to explain
      and not exists (
          select 1
          from versions as m
          where m.village_code = n.village_code
            and m.report_month = n.report_month
            and m.form = n.form
            and m.version_no > n.version_no
            and m.submission_id in (select submission_id from loaded)
      )
    qualify row_number() over (
        partition by n.submission_id, n.form order by l.version_no desc
    ) = 1
)

select
    s.submission_id, s.form, s.sheet, s.received_at,
    later.file_name as later_file_name, s.later_received_at
from superseded as s
join raw.submissions as later on later.submission_id = s.later_id
order by s.submission_id, s.form;
