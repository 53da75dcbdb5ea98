-- grain: one row per (village, report month): the current, valid contraception record
create or replace macro staging.contraception(as_of) as table
with current_records as (
    select r.*, c.village_code, c.report_month, c.received_at, c.file_sha256
    from raw.contraception as r
    join staging.current_forms(as_of) as c
        on c.submission_id = r.submission_id and c.form = 'contraception'
    where not r.has_error
)

-- the two sums the indicators and marts.contraception use, defined once here
select
    * exclude (has_error),
    coalesce(iud, 0) + coalesce(implant, 0) + coalesce(female_sterilization, 0)
        + coalesce(male_sterilization, 0) + coalesce(pill, 0) + coalesce(condom, 0)
        + coalesce(other_method, 0) as contraceptive_users,
    coalesce(iud, 0) + coalesce(implant, 0) + coalesce(female_sterilization, 0)
        + coalesce(male_sterilization, 0) as long_acting_users
from current_records;
comment on macro table staging.contraception is '粒度：每个（村, 报告期）一条当前有效的节育措施记录。参数 as_of。';
