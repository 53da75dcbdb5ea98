-- grain: one row per committed load (an ingest that added files or replaced the village list)
create table if not exists raw.loads (
    load_id varchar not null,
    loaded_at timestamp not null,
    n_files integer not null,
    host varchar,
    pid integer
);
comment on table raw.loads is '每次入库（新增文件或更新村名单）一行：与原始数据在同一事务中提交；指标据此判断是否已更新。';
comment on column raw.loads.load_id is '入库编号';
comment on column raw.loads.loaded_at is '入库时间';
comment on column raw.loads.n_files is '本次入库的新文件数';
comment on column raw.loads.host is '执行入库的机器';
comment on column raw.loads.pid is '执行入库的进程号';
