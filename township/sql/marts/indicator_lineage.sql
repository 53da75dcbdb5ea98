-- grain: one row per source row behind an indicator value: (period, org, indicator) → file, sheet,
-- Excel row; the row's part of the numerator (`value`) and of the denominator. The rows are the
-- indicators' own (staging.period_measure_rows): for a count indicator they add up to its value.
-- The reporting figures (expected, reported, on time) are of village-months, not of rows.
-- A null indicator: every indicator's rows at once (the measures are computed once for all)
create or replace macro marts.indicator_lineage(p_period, p_org_code, p_indicator, as_of := null) as table
with wanted as (
    select code, numerator, denominator
    from marts.indicator_catalog
    where p_indicator is null or code = p_indicator
),

behind as (
    select
        w.code, m.village_code, m.submission_id, m.sheet, m.excel_row,
        sum(m.value) filter (m.measure = w.numerator) as value,
        sum(m.value) filter (m.measure = w.denominator) as denominator
    from staging.period_measure_rows(as_of) as m
    join wanted as w on m.measure in (w.numerator, w.denominator)
    where m.period = p_period
    group by all
)

select
    p_period as period, p_org_code as org_code, b.code as indicator,
    b.village_code, v.village_name, s.file_name, s.file_path, s.file_sha256, b.submission_id,
    b.sheet, b.excel_row, s.received_at, b.value, b.denominator
from behind as b
join raw.villages as v using (village_code)
join raw.submissions as s using (submission_id)
where p_org_code in (b.village_code, v.township_code)
order by b.code, b.village_code, s.file_name, s.file_path, b.sheet, b.excel_row, b.submission_id;
comment on macro table marts.indicator_lineage is '粒度：某个指标值背后的每一源数据行（文件、工作表、Excel 行），及其计入分子（value）与分母的数；计数指标的各行之和即其值。参数：期间、单位代码、指标代码（null 为全部指标）、as_of。';
