-- grain: one row per received file version: where it was, its size and time, to skip it unread
select file_path, size_bytes, received_at, submission_id, village_code, file_sha256
from raw.submissions;
