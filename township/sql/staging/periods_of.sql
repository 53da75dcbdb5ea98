-- grain: a scalar macro: the five periods (SPEC §7) a date belongs to, as a list of structs
create or replace macro staging.periods_of(d) as [
    {'period': strftime(d, '%Y-%m'), 'period_type': 'month'},
    {'period': strftime(d, '%Y') || 'Q' || quarter(d), 'period_type': 'quarter'},
    {'period': strftime(d, '%Y'), 'period_type': 'year'},
    {'period': 'SY' || (year(d) + (month(d) >= 10)::integer), 'period_type': 'statistical_year'},
    {
        'period': 'SY' || (year(d) + (month(d) >= 10)::integer)
            || case when month(d) >= 10 or month(d) <= 3 then 'H1' else 'H2' end,
        'period_type': 'statistical_half'
    }
];
comment on macro staging.periods_of is '日期所属的五个期间（月、季、年、统计年度、统计半年）。';
