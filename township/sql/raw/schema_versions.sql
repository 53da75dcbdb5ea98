-- grain: one row: the version of the warehouse's definitions (its DDL files) last applied
create table if not exists raw.schema_versions (
    fingerprint varchar not null,
    applied_at timestamp not null
);
comment on table raw.schema_versions is '粒度：一行：仓库最近一次应用的表、视图、宏定义（DDL 文件）的指纹与时间；指纹不变则打开时不再重建。';
comment on column raw.schema_versions.fingerprint is 'DDL 文件内容的 SHA-256';
comment on column raw.schema_versions.applied_at is '应用时间';
