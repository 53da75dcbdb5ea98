-- grain: one row per path under the raw folder with its outcome when an ingest last looked at it
-- (a later "unchanged, not read again" says nothing new), for report months $first … $last and the paths
-- outside any report-month folder
with latest as (
    select o.*, i.finished_at
    from raw.file_outcomes as o
    join raw.ingests as i using (ingest_id)
    qualify row_number() over (
        partition by o.file_path order by o.reason_code <> 'same_file' desc, i.finished_at desc
    ) = 1
)

select file_path, report_month, outcome, reason_code, reason_zh, village_code, finished_at
from latest
where report_month between $first and $last or report_month is null
order by outcome, file_path;
