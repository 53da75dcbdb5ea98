-- grain: one row per (village, report month, form, submission): a received file holding a form,
-- ranked among the village-month's versions of it (contract §3). A sheet left empty holds its
-- form only where it says "none this month": a person form's, in a file of that form alone (a
-- CSV) or in a whole monthly workbook (staging.monthly_workbooks). So a
-- supplement sent on the blank template (only the forgotten form filled) replaces nothing else,
-- and an empty one-record form never replaces a filled one.
create or replace view staging.form_versions as
with received as (
    select
        s.village_code, s.report_month, f.form, s.submission_id, s.file_sha256, s.file_name,
        s.received_at, s.status, f.sheet, f.n_records,
        count(*) over (partition by s.submission_id) as forms_in_file
    from raw.submissions as s
    join raw.submission_forms as f using (submission_id)
    where s.status <> 'rejected'
),

held as (
    select r.* exclude (forms_in_file)
    from received as r
    where r.n_records > 0
       or (
           r.form in ({{ names(person_forms) }})
           and (
               r.forms_in_file = 1
               or r.submission_id in (select submission_id from staging.monthly_workbooks)
           )
       )
)

select
    *,
    row_number() over (
        partition by village_code, report_month, form
        -- a masked ID can make two names one: the submission id keeps the order total
        order by received_at, file_name, submission_id
    ) as version_no
from held;
comment on view staging.form_versions is '粒度：每个（村, 报告期, 报表, 报送文件）一行：含该表的文件及其版本序号（按收到时间、再按文件名）。留空的表只在表示“本月没有”时算含该表：单表文件（CSV）或完整月报中的人员表；补报文件中留空的表、留空的单条记录表都不算。';
