-- grain: one row per village in the reference list (villages.csv), as of the last ingest
create or replace view marts.villages as
with reference as (
    select *
    from raw.villages
)

select
    village_code,
    village_name,
    township_code,
    township_name,
    string_split(nullif(aliases, ''), '|') as aliases
from reference;

comment on view marts.villages is '村名单：粒度：每村一行（参考文件 villages.csv，每次入库时刷新）。各分析表的 village_code 与此表关联；从未报送的村也在此表。';
comment on column marts.villages.village_code is '12位统计用区划代码';
comment on column marts.villages.village_name is '村名';
comment on column marts.villages.township_code is '9位乡镇代码（镇级指标的 org_code）';
comment on column marts.villages.township_name is '乡镇名';
comment on column marts.villages.aliases is '村名别名（文件名、封面中可识别的写法）';
