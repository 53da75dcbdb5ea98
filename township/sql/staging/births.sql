-- grain: one row per birth (mother person_key, birth_date, parity) across all villages and months
-- rows of current versions only, quarantined rows excluded; the birth counts for the village
-- whose row is not 流入, else the earliest received; its attributes come from that village's
-- latest received row, so a resubmitted correction wins over a cumulative register's old copy
create or replace macro staging.births(as_of) as table
with current_rows as (
    select
        b.*, c.village_code, c.report_month, c.received_at, c.file_name, c.file_sha256
    from raw.births as b
    join staging.current_forms(as_of) as c
        on c.submission_id = b.submission_id and c.form = 'births'
    where not b.has_error
),

village_claims as (
    select
        person_key, birth_date, parity, village_code,
        bool_and(residence = '流入') as only_in_migrant,
        min(received_at) as first_received_at,
        min(report_month) as first_report_month,
        count(*) as n_rows
    from current_rows
    group by all
),

winning_village as (
    select
        *,
        count(*) over (partition by person_key, birth_date, parity) as n_villages,
        sum(n_rows) over (partition by person_key, birth_date, parity) as n_reports
    from village_claims
    qualify row_number() over (
        partition by person_key, birth_date, parity
        order by only_in_migrant, first_received_at, village_code
    ) = 1
),

latest_row as (
    select r.*
    from current_rows as r
    join winning_village as w using (person_key, birth_date, parity, village_code)
    qualify row_number() over (
        partition by r.person_key, r.birth_date, r.parity
        order by r.received_at desc, r.file_name desc, r.excel_row
    ) = 1
)

select
    l.person_key, l.mother_id_masked, l.birth_date, l.parity, l.child_sex,
    coalesce(l.in_policy, true) as in_policy, l.residence, l.village_code,
    w.first_report_month, w.first_received_at, w.n_reports, w.n_villages,
    l.submission_id, l.file_sha256, l.sheet, l.excel_row
from latest_row as l
join winning_village as w using (person_key, birth_date, parity, village_code);
comment on macro table staging.births is '粒度：每个出生（母亲 person_key, 出生日期, 孩次）一行，跨村跨月去重，带血缘（文件、工作表、Excel 行）。参数 as_of。';
