-- grain: one row per (ingest run, path under the raw folder): the file ledger, with the village
create or replace view marts.file_outcomes as
select
    i.ingest_id,
    i.finished_at as ingested_at,
    o.file_path,
    o.report_month,
    o.outcome,
    o.reason_code,
    o.reason_zh,
    o.submission_id,
    o.village_code,
    v.village_name,
    o.size_bytes,
    o.received_at
from raw.file_outcomes as o
join raw.ingests as i using (ingest_id)
left join raw.villages as v using (village_code);

comment on view marts.file_outcomes is '文件台账：粒度：每次入库运行中 raw 目录下的每个路径一行，去向为 loaded 新入库、refused 拒收、unchanged 未变化或 ignored 未读取，各有原因。';
comment on column marts.file_outcomes.ingest_id is '入库运行编号';
comment on column marts.file_outcomes.ingested_at is '该次入库结束时间';
comment on column marts.file_outcomes.file_path is '相对 raw 目录的路径';
comment on column marts.file_outcomes.report_month is '报告期（取自所在目录）；不在报告期目录中为空';
comment on column marts.file_outcomes.outcome is '去向：loaded | refused | unchanged | ignored';
comment on column marts.file_outcomes.reason_code is '原因代码';
comment on column marts.file_outcomes.reason_zh is '原因（中文）';
comment on column marts.file_outcomes.submission_id is '对应的报送编号';
comment on column marts.file_outcomes.village_code is '报送村代码';
comment on column marts.file_outcomes.village_name is '报送村名';
comment on column marts.file_outcomes.size_bytes is '文件大小（字节）';
comment on column marts.file_outcomes.received_at is '文件修改时间（收到时间）';
