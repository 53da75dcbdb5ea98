-- grain: one row per (village, report month) of report months $first … $last: the village's
-- latest file for the month, for the office's board (township/web)
select
    s.village_code, s.report_month, s.submission_id, s.file_name, s.file_path, s.received_at,
    s.status,
    s.n_errors, s.n_warnings
from raw.submissions as s
where s.report_month between $first and $last and s.village_code is not null
qualify row_number() over (
    partition by s.village_code, s.report_month order by s.received_at desc, s.file_name desc
) = 1
order by s.village_code, s.report_month;
