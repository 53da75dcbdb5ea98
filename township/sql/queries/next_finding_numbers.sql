-- grain: one row per submission of the list given (?): the number of its last finding
select submission_id, max(finding_no) as last_finding_no
from raw.findings
where submission_id in (select unnest(?::varchar[]))
group by all;
