-- grain: one row per submission of the list given (?): its file, month, village and status
select submission_id, file_name, report_month, village_code, status
from raw.submissions
where submission_id in (select unnest(?::varchar[]))
order by report_month, file_name;
