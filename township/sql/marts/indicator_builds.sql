-- grain: one row: the latest materialization of the indicators, the loads and catalog it covers
create table if not exists marts.indicator_builds (
    loads_covered bigint not null,
    built_at timestamp not null,
    catalog_sha256 varchar
);
comment on table marts.indicator_builds is '指标物化记录：覆盖的入库次数（raw.loads 行数）、物化时间与指标目录的 SHA-256；入库次数少于 raw.loads 行数或目录已改即指标未更新。';
comment on column marts.indicator_builds.loads_covered is '物化时 raw.loads 的行数';
comment on column marts.indicator_builds.built_at is '物化时间';
comment on column marts.indicator_builds.catalog_sha256 is '物化时指标目录（catalog.yaml）的 SHA-256';
