-- grain: one row per (submission of the load, form) whose form is not current because a version
-- received later (by modification time, contract §3) was loaded by an earlier ingest: a
-- correction saved with an older modification time, which would otherwise be taken for used.
-- Only the load's last version of a form can be that: an earlier one of the load is replaced by
-- it, as any later file replaces one
with loaded as (
    select unnest(?::varchar[]) as submission_id
),

versions as (
    select
        village_code, report_month, form, submission_id, sheet, received_at, version_no,
        submission_id in (select submission_id from loaded) as in_load
    from staging.form_versions
),

placed as (
    select
        *,
        max(version_no) filter (where in_load) over unit as last_loaded,
        max(version_no) over unit as last_version,
        arg_max(submission_id, version_no) over unit as current_id
    from versions
    window unit as (partition by village_code, report_month, form)
)

select
    p.submission_id, p.form, p.sheet, p.received_at,
    c.file_name as later_file_name, c.received_at as later_received_at
from placed as p
join raw.submissions as c on c.submission_id = p.current_id
where p.in_load
  and p.version_no = p.last_loaded
  and p.version_no < p.last_version
order by p.submission_id, p.form;
