-- grain: one row per stock.outlier finding on the current version of a village's sheet, for the
-- report months $first … $last, as received by $as_of: a figure since corrected is not shown
select c.village_code, c.report_month, c.form, f.field
from raw.findings as f
join staging.current_forms($as_of) as c
    on c.submission_id = f.submission_id and c.sheet = f.sheet
where f.rule_id = 'stock.outlier' and c.report_month between $first and $last
order by c.village_code, c.report_month, f.field;
