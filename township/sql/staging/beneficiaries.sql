-- grain: one row per (person_key, category): the first approval across villages and months
create or replace macro staging.beneficiaries(as_of) as table
with current_rows as (
    select b.*, c.village_code, c.report_month, c.received_at, c.file_sha256
    from raw.beneficiaries as b
    join staging.current_forms(as_of) as c
        on c.submission_id = b.submission_id and c.form = 'beneficiaries'
    where not b.has_error
)

select
    person_key, id_masked, category, approved_on, village_code, report_month,
    count(*) over (partition by person_key, category) as n_reports,
    submission_id, file_sha256, sheet, excel_row
from current_rows
qualify row_number() over (
    partition by person_key, category
    order by approved_on, received_at, village_code, excel_row
) = 1;
comment on macro table staging.beneficiaries is '粒度：每个（person_key, 类别）一行，按首次认定计。参数 as_of。';
