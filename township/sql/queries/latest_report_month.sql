-- grain: one row: the latest report month with an accepted file among those received by ?
select max(report_month) as report_month
from raw.submissions
where status <> 'rejected'
  and received_at <= coalesce(?::timestamp, 'infinity'::timestamp);
