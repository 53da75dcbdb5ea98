-- grain: a scalar macro: the type of a period key (contract §7), read from its form as
-- staging.periods_of writes it: 2026-03 month, 2026Q1 quarter, 2026 year, SY2026, SY2026H1
create or replace macro staging.period_type(period) as
    case
        when period like 'SY%H_' then 'statistical_half'
        when period like 'SY%' then 'statistical_year'
        when period like '%Q_' then 'quarter'
        when period like '%-%' then 'month'
        else 'year'
    end;
comment on macro staging.period_type is '期间代码的类型：month | quarter | year | statistical_year | statistical_half。';
