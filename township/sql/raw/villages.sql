-- grain: one row per village in the reference list (villages.csv), replaced on every ingest
create table if not exists raw.villages (
    village_code varchar primary key,
    village_name varchar not null,
    township_code varchar not null,
    township_name varchar not null,
    aliases varchar,
    email varchar
);
comment on table raw.villages is '村名单（villages.csv）：每村一行，每次入库时按参考文件刷新。';
comment on column raw.villages.village_code is '12位统计用区划代码';
comment on column raw.villages.village_name is '村名';
comment on column raw.villages.township_code is '9位乡镇代码';
comment on column raw.villages.township_name is '乡镇名';
comment on column raw.villages.aliases is '村名别名，以 | 分隔';
comment on column raw.villages.email is '接收校验报告的电子邮箱（可空）';
