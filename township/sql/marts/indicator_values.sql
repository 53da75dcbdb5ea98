-- grain: one row per (period, org_code, indicator): the township summary's figures (contract §8),
-- the materialized marts.indicator_facts with their units' codes and names
create or replace view marts.indicator_values as
with facts as (
    select *
    from marts.indicator_facts
),

orgs as (
    select *
    from marts.indicator_orgs
)

select
    facts.period,
    staging.period_type(facts.period) as period_type,
    orgs.org_level,
    orgs.org_code,
    orgs.org_name,
    facts.indicator,
    facts.value,
    facts.numerator,
    facts.denominator,
    facts.note
from facts
join orgs using (org_key);

comment on view marts.indicator_values is '指标值：粒度：每个（期间, 单位, 指标）一行，村级与镇级，覆盖数据涉及的所有月、季、年、统计年度与统计半年（物化于 marts.indicator_facts）。';
comment on column marts.indicator_values.period is '期间：2026-03 | 2026Q1 | 2026 | SY2026 | SY2026H1';
comment on column marts.indicator_values.period_type is 'month | quarter | year | statistical_year | statistical_half';
comment on column marts.indicator_values.org_level is 'township | village';
comment on column marts.indicator_values.org_code is '乡镇9位代码或村12位代码';
comment on column marts.indicator_values.org_name is '乡镇名或村名';
comment on column marts.indicator_values.indicator is '指标代码（见 marts.indicator_catalog）';
comment on column marts.indicator_values.value is '指标值；分母为0或无数据时为空（见 note）';
comment on column marts.indicator_values.numerator is '分子（计数指标即其值）';
comment on column marts.indicator_values.denominator is '分母（计数指标为空）';
comment on column marts.indicator_values.note is '说明：分母为0、期间内无报表等';
