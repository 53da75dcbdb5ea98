-- grain: one row per form of one submission: where its rows went (marts.row_ledger), with the
-- file it came in
select
    s.village_code, s.report_month, s.file_name, s.received_at, s.status, l.sheet, l.rows_read,
    l.counted, l.outside_period, l.repeated, l.duplicates, l.superseded, l.quarantined,
    l.in_refused_file
from raw.submissions as s
left join marts.row_ledger as l using (submission_id)
where s.submission_id = ?
order by l.sheet;
