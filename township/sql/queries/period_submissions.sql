-- grain: one row per file received for the report months $first … $last (by $as_of), its status
with current_versions as (
    select distinct submission_id
    from staging.current_forms($as_of)
)

select
    s.report_month, s.village_code, v.village_name, s.file_name, s.received_at,
    s.status, s.n_records, s.n_errors, s.n_warnings, s.reason_zh,
    s.submission_id in (select submission_id from current_versions) as is_current
from raw.submissions as s
left join raw.villages as v using (village_code)
where s.report_month between $first and $last
  and s.received_at <= coalesce($as_of::timestamp, 'infinity'::timestamp)
order by s.report_month, s.village_code nulls last, s.received_at, s.file_name;
