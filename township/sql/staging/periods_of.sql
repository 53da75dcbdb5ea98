-- grain: scalar macros: the statistical year (contract §7: 1 October to 30 September) of a date, and
-- the five periods a date belongs to, as a list of structs
create or replace macro staging.statistical_year(d) as 'SY' || (year(d) + (month(d) >= 10)::integer);
comment on macro staging.statistical_year is '日期所属的计生统计年度（上年10月1日至本年9月30日），如 SY2026。';

create or replace macro staging.periods_of(d) as [
    {'period': strftime(d, '%Y-%m'), 'period_type': 'month'},
    {'period': strftime(d, '%Y') || 'Q' || quarter(d), 'period_type': 'quarter'},
    {'period': strftime(d, '%Y'), 'period_type': 'year'},
    {'period': staging.statistical_year(d), 'period_type': 'statistical_year'},
    {
        'period': staging.statistical_year(d)
            || case when month(d) >= 10 or month(d) <= 3 then 'H1' else 'H2' end,
        'period_type': 'statistical_half'
    }
];
comment on macro staging.periods_of is '日期所属的五个期间（月、季、年、统计年度、统计半年）。';

create or replace macro staging.period_start(period) as
    case staging.period_type(period)
        when 'month' then strptime(period, '%Y-%m')::date
        when 'quarter' then make_date(left(period, 4)::integer, 3 * right(period, 1)::integer - 2, 1)
        when 'year' then make_date(period::integer, 1, 1)
        when 'statistical_year' then make_date(substr(period, 3, 4)::integer - 1, 10, 1)
        when 'statistical_half' then
            case right(period, 1)
                when '1' then make_date(substr(period, 3, 4)::integer - 1, 10, 1)
                else make_date(substr(period, 3, 4)::integer, 4, 1)
            end
    end;
comment on macro staging.period_start is '期间的第一天。';

create or replace macro staging.period_months(period) as
    case staging.period_type(period)
        when 'month' then 1
        when 'quarter' then 3
        when 'statistical_half' then 6
        else 12
    end;
comment on macro staging.period_months is '期间的月数（年化时用）：月 1、季 3、统计半年 6、年与统计年度 12。';
