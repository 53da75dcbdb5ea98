-- grain: one row per indicator code, loaded from township/indicators/catalog.yaml on every materialize
create table if not exists marts.indicator_catalog (
    code varchar primary key,
    name_zh varchar not null,
    kind varchar not null,
    numerator varchar not null,
    denominator varchar,
    factor integer not null,
    decimals integer not null,
    unit varchar,
    normal_low double,
    normal_high double,
    annualised boolean not null default false
);
comment on table marts.indicator_catalog is '粒度：每个指标代码一行。指标目录（来自 township/indicators/catalog.yaml）：代码、中文名、分子、分母、系数、单位、正常范围。';
comment on column marts.indicator_catalog.code is '指标代码（接口，见 contract §8）';
comment on column marts.indicator_catalog.name_zh is '指标中文名';
comment on column marts.indicator_catalog.kind is 'event 期间累计 | stock 期末存量 | vital 人口率（分母为平均人口，未报人口变动的村无数据） | quality 数据质量';
comment on column marts.indicator_catalog.numerator is '分子所用的度量';
comment on column marts.indicator_catalog.denominator is '分母所用的度量（无则为计数指标）';
comment on column marts.indicator_catalog.factor is '系数（百分率为100）';
comment on column marts.indicator_catalog.decimals is '保留小数位（四舍五入，半数进位）';
comment on column marts.indicator_catalog.unit is '单位';
comment on column marts.indicator_catalog.normal_low is '正常范围下限（如性别比103）';
comment on column marts.indicator_catalog.normal_high is '正常范围上限（如性别比107）';
comment on column marts.indicator_catalog.annualised is '年化：短于一年的期间按 12/期间月数 折算为年率（如半年的出生率）';
