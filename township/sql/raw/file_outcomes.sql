-- grain: one row per (ingest run, path under the raw folder): what the run did with the path
create table if not exists raw.file_outcomes (
    ingest_id varchar not null,
    file_path varchar not null,
    report_month varchar,
    outcome varchar not null,
    reason_code varchar not null,
    reason_zh varchar not null,
    submission_id varchar,
    village_code varchar,
    size_bytes bigint,
    received_at timestamp
);
comment on table raw.file_outcomes is '文件台账：每次入库运行中，raw 目录下每个路径恰有一个去向（新入库、拒收、未变化、未读取）及原因；没有任何文件被悄悄略过。';
comment on column raw.file_outcomes.ingest_id is '入库运行编号（raw.ingests）';
comment on column raw.file_outcomes.file_path is '相对 raw 目录的路径';
comment on column raw.file_outcomes.report_month is '报告期（取自所在目录）；不在报告期目录中为空';
comment on column raw.file_outcomes.outcome is '去向：loaded 新入库 | refused 拒收 | unchanged 未变化 | ignored 未读取';
comment on column raw.file_outcomes.reason_code is '原因代码：新入库为校验状态，拒收为拒收原因，未变化为 same_file 或 same_content，未读取为 symlink、outside_month_folder 等';
comment on column raw.file_outcomes.reason_zh is '原因（中文）';
comment on column raw.file_outcomes.submission_id is '对应的报送编号（新入库、拒收与内容相同的文件）';
comment on column raw.file_outcomes.village_code is '报送村代码（已识别时）';
comment on column raw.file_outcomes.size_bytes is '文件大小（字节）';
comment on column raw.file_outcomes.received_at is '文件修改时间（收到时间）';
