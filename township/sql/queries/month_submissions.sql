-- grain: one row per submission received for a report month, with its village and township
select
    s.submission_id, s.file_name, s.file_path, s.file_sha256, s.report_month, s.village_code,
    v.village_name, coalesce(v.township_name, t.township_name) as township_name,
    s.received_at, s.status, s.reason_code, coalesce(r.reason_zh, s.reason_zh) as reason_zh
from raw.submissions as s
left join restricted.submissions as r using (submission_id)
left join raw.villages as v using (village_code)
cross join (select any_value(township_name) as township_name from raw.villages) as t
where s.report_month = ?
order by s.village_code, s.received_at, s.file_name;
