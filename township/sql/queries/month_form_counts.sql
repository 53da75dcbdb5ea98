-- grain: one row per (submission, form) of a report month: records read on that sheet
select f.submission_id, f.sheet, f.n_records
from raw.submission_forms as f
join raw.submissions as s using (submission_id)
where s.report_month = ?;
