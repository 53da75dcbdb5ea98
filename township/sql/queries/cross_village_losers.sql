-- grain: one row per valid birth row of the given submissions that counts for another village
select r.submission_id, r.sheet, r.excel_row, r.residence, v.village_name as counted_for
from raw.births as r
join staging.current_forms(null) as c
    on c.submission_id = r.submission_id and c.form = 'births'
join staging.births(null) as b using (person_key, birth_date, parity)
join raw.villages as v on v.village_code = b.village_code
where r.submission_id in (select unnest(?::varchar[]))
  and not r.has_error
  and c.village_code <> b.village_code;
