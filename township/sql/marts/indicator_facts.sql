-- grain: one row per (period, org_key, indicator): the materialized indicators, as
-- marts.indicator_facts_of gives them from marts.village_measures(null); marts.indicator_values
-- labels them. Units are integer keys, not codes and names: a prefecture month's rows write faster
create table if not exists marts.indicator_facts (
    period varchar not null,
    org_key integer not null,
    indicator varchar not null,
    value double,
    numerator bigint,
    denominator bigint,
    note varchar
);
comment on table marts.indicator_facts is '粒度：每个（期间, 单位编号, 指标）一行：物化的指标值；单位见 marts.indicator_orgs，带名称的查询请用 marts.indicator_values。';
comment on column marts.indicator_facts.period is '期间：2026-03 | 2026Q1 | 2026 | SY2026 | SY2026H1';
comment on column marts.indicator_facts.org_key is '单位编号（marts.indicator_orgs.org_key）';
comment on column marts.indicator_facts.indicator is '指标代码（见 marts.indicator_catalog）';
comment on column marts.indicator_facts.value is '指标值；分母为0或无数据时为空（见 note）';
comment on column marts.indicator_facts.numerator is '分子（计数指标即其值）';
comment on column marts.indicator_facts.denominator is '分母（计数指标为空）';
comment on column marts.indicator_facts.note is '说明：分母为0、期间内无报表等';
