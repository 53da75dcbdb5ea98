-- grain: one row per (period, org_code, indicator): the materialized township summary
create table if not exists marts.indicator_values (
    period varchar not null,
    period_type varchar not null,
    org_level varchar not null,
    org_code varchar not null,
    org_name varchar not null,
    indicator varchar not null,
    value double,
    numerator bigint,
    denominator bigint,
    note varchar
);
comment on table marts.indicator_values is '指标值：每个（期间, 单位, 指标）一行，村级与镇级，覆盖数据涉及的所有月、季、年、统计年度与统计半年。';
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
