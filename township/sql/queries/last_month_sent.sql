-- grain: one row: the latest report month any file was sent for, refused ones included (the
-- board shows a village its refused file)
select max(report_month) as report_month
from raw.submissions;
