-- grain: one row per (submission, form) of a report month: its sheet and where its rows went
-- (marts.row_ledger: read = counted + outside_period + repeated + duplicates + superseded
-- + quarantined + in_refused_file)
select
    l.submission_id, l.form, l.sheet, l.rows_read as n_records, l.counted, l.outside_period, l.repeated,
    l.duplicates, l.superseded, l.quarantined, l.in_refused_file
from marts.row_ledger as l
where l.report_month = ?;
