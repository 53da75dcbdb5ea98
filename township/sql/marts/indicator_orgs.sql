-- grain: one row per township and village the materialized indicators cover: staging.indicator_orgs
-- as it was when marts.indicator_facts was built, in the same transaction, so their keys agree
create table if not exists marts.indicator_orgs (
    org_key integer primary key,
    org_level varchar not null,
    org_code varchar not null,
    org_name varchar not null
);
comment on table marts.indicator_orgs is '粒度：物化指标涵盖的每个乡镇、每个村一行；与 marts.indicator_facts 同时生成，org_key 与其一致。';
comment on column marts.indicator_orgs.org_key is '单位的整数编号（marts.indicator_facts.org_key）';
comment on column marts.indicator_orgs.org_level is 'township | village';
comment on column marts.indicator_orgs.org_code is '乡镇9位代码或村12位代码';
comment on column marts.indicator_orgs.org_name is '乡镇名或村名';
