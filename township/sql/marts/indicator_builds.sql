-- grain: one row: the latest materialization of marts.indicator_values and the loads it covers
create table if not exists marts.indicator_builds (
    loads_covered bigint not null,
    built_at timestamp not null
);
comment on table marts.indicator_builds is '指标物化记录：覆盖的入库次数（raw.loads 行数）与物化时间；少于 raw.loads 行数即指标未更新。';
comment on column marts.indicator_builds.loads_covered is '物化时 raw.loads 的行数';
comment on column marts.indicator_builds.built_at is '物化时间';
