-- grain: one row per "record.empty" finding of the given submissions that is a supplement (no whole
-- monthly workbook, staging.monthly_workbooks: the blank template sent again for a forgotten form)
-- whose empty one-record form the village holds this month from another file, filled in (an empty
-- one-record form never replaces a filled one, contract §3): nothing for the village to fill in, so
-- not said. In a whole monthly workbook the empty form is still said.
select f.submission_id || '/' || f.finding_no as finding_key, f.submission_id, f.severity
from raw.findings as f
join raw.submissions as s using (submission_id)
join raw.submission_forms as sf
    on sf.submission_id = f.submission_id and sf.sheet = f.sheet
where f.submission_id in (select unnest(?::varchar[]))
  and f.rule_id = 'record.empty'
  and f.submission_id not in (select submission_id from staging.monthly_workbooks)
  and exists (
      select 1
      from raw.submission_forms as other
      join raw.submissions as os on os.submission_id = other.submission_id
      where os.village_code = s.village_code
        and os.report_month = s.report_month
        and os.submission_id <> s.submission_id
        and os.status <> 'rejected'
        and other.form = sf.form
        and other.n_records > 0
  );
