-- grain: one row per (village, report month): the current valid 节育措施 record's two sums, the
-- one place they are defined (the indicators' measures and marts.contraception read them)
create or replace macro staging.contraception_users(as_of) as table
select
    village_code, report_month, submission_id, sheet, excel_row,
    coalesce(iud, 0) + coalesce(implant, 0) + coalesce(female_sterilization, 0)
        + coalesce(male_sterilization, 0) + coalesce(pill, 0) + coalesce(condom, 0)
        + coalesce(other_method, 0) as contraceptive_users,
    coalesce(iud, 0) + coalesce(implant, 0) + coalesce(female_sterilization, 0)
        + coalesce(male_sterilization, 0) as long_acting_users
from staging.contraception(as_of);
comment on macro table staging.contraception_users is '粒度：每个（村, 报告期）一行：当前有效节育措施记录的落实节育措施人数与长效节育措施人数（两者只在此定义）。参数 as_of。';
