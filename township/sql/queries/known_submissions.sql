-- grain: one row per received file version: its identity and content, to skip copies
select submission_id, report_month, file_sha256, status
from raw.submissions;
