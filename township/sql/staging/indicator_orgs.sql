-- grain: one row per unit indicators are computed for: each township, then each village, of
-- the reference list. org_key numbers them in that order, so that the indicators join on an
-- integer; a key means the same unit only for one version of raw.villages (see marts.indicator_orgs)
create or replace view staging.indicator_orgs as
with villages as (
    select village_code, village_name, township_code, township_name
    from raw.villages
),

units as (
    select distinct 'township' as org_level, township_code as org_code, township_name as org_name, township_code
    from villages
    union all
    select 'village', village_code, village_name, township_code
    from villages
)

select
    (row_number() over (order by org_level = 'village', org_code, org_name))::integer as org_key,
    org_level,
    org_code,
    org_name,
    township_code
from units;

comment on view staging.indicator_orgs is '计算指标的单位：粒度：每个乡镇、每个村一行（按村名单），org_key 为其整数编号（乡镇在前，各按代码）。';
comment on column staging.indicator_orgs.org_key is '单位的整数编号，仅对同一版村名单有效';
comment on column staging.indicator_orgs.org_level is 'township | village';
comment on column staging.indicator_orgs.org_code is '乡镇9位代码或村12位代码';
comment on column staging.indicator_orgs.org_name is '乡镇名或村名';
comment on column staging.indicator_orgs.township_code is '所属乡镇代码（乡镇即其本身）';
