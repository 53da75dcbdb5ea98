-- grain: one row per late-birth warning (birth_date.late, birth_date.prior_year) of the given
-- submissions on a birth its village already sent for an earlier report month (a register sent
-- again whole every month): its lateness was told then, or it came in time then; not again
select f.submission_id || '/' || f.finding_no as finding_key, f.submission_id, f.severity
from raw.findings as f
join raw.submissions as s using (submission_id)
join raw.births as b
    on b.submission_id = f.submission_id and b.sheet = f.sheet and b.excel_row = f.excel_row
where f.submission_id in (select unnest(?::varchar[]))
  and f.rule_id in ('birth_date.late', 'birth_date.prior_year')
  and f.severity = 'warning'
  and exists (
      select 1
      from raw.births as e
      join raw.submissions as es on es.submission_id = e.submission_id
      where es.village_code = s.village_code
        and es.report_month < s.report_month
        and es.status <> 'rejected'
        and e.person_key = b.person_key
        and e.birth_date = b.birth_date
        and e.parity = b.parity
  );
