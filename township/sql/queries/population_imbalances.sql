-- grain: one row per 人口变动 record of the given submissions ($ids) whose month-end population
-- moved from last month's by more than $tolerance other than its own changes explain:
-- population − last month's ≠ births − deaths + moved in − moved out (births: those the
-- warehouse counts for the village, born in the month)
with records as (
    select p.submission_id, s.village_code, s.report_month, p.population, p.deaths, p.moved_in, p.moved_out
    from raw.population as p
    join raw.submissions as s using (submission_id)
    where p.submission_id in (select unnest($ids::varchar[])) and not p.has_error
),

previous as (
    select village_code, report_month, population
    from staging.population(null)
),

born as (
    select village_code, strftime(birth_date, '%Y-%m') as report_month, count(*) as births
    from staging.births(null)
    group by all
),

balanced as (
    select
        r.submission_id, r.population, p.population as previous_population,
        coalesce(b.births, 0) as births, coalesce(r.deaths, 0) as deaths,
        coalesce(r.moved_in, 0) as moved_in, coalesce(r.moved_out, 0) as moved_out
    from records as r
    join previous as p
        on p.village_code = r.village_code
        and p.report_month = strftime(strptime(r.report_month, '%Y-%m') - interval 1 month, '%Y-%m')
    left join born as b on b.village_code = r.village_code and b.report_month = r.report_month
    where r.population is not null and p.population is not null
)

select *, (population - previous_population) - (births - deaths + moved_in - moved_out) as off_by
from balanced
where abs((population - previous_population) - (births - deaths + moved_in - moved_out)) > $tolerance;
