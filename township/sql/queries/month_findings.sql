-- grain: one row per finding of the submissions of a report month, with its wording (restricted)
select f.*, r.value, r.message_zh, r.fix_zh
from raw.findings as f
join restricted.findings as r using (submission_id, finding_no)
join raw.submissions as s using (submission_id)
where s.report_month = ?
order by f.submission_id, f.finding_no;
