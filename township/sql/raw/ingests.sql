-- grain: one row per ingest run that finished (loaded something or not): its scope and counts
create table if not exists raw.ingests (
    ingest_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp not null,
    report_month varchar,
    n_paths integer not null,
    n_loaded integer not null,
    n_refused integer not null,
    n_unchanged integer not null,
    n_ignored integer not null,
    host varchar,
    pid integer
);
comment on table raw.ingests is '每次入库运行一行（无论是否有新文件）：范围与文件去向的计数；明细见 raw.file_outcomes。';
comment on column raw.ingests.ingest_id is '入库运行编号（有新文件时同 raw.loads.load_id）';
comment on column raw.ingests.started_at is '开始时间';
comment on column raw.ingests.finished_at is '结束时间';
comment on column raw.ingests.report_month is '只入库某一报告期时为该月；空为 raw 目录下全部';
comment on column raw.ingests.n_paths is 'raw 目录下本次涉及的路径数（= 以下四项之和）';
comment on column raw.ingests.n_loaded is '新入库的文件数（通过、有警告或有错误）';
comment on column raw.ingests.n_refused is '拒收的文件数';
comment on column raw.ingests.n_unchanged is '未变化的文件数（此前已入库，或与已入库文件内容相同）';
comment on column raw.ingests.n_ignored is '未读取的路径数（不在报告期目录中、链接、临时文件等），各有原因';
comment on column raw.ingests.host is '执行入库的机器';
comment on column raw.ingests.pid is '执行入库的进程号';
