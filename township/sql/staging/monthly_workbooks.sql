-- grain: one row per submission that is a whole monthly workbook, not a supplement: two of the
-- required one-record forms filled in (a supplement on the blank template fills the one
-- forgotten). In it an empty person form says "none this month" (staging.form_versions) and an
-- empty one-record form is said to the village (queries/empty_forms_held_elsewhere.sql)
create or replace view staging.monthly_workbooks as
with filled as (
    select submission_id, form
    from raw.submission_forms
    where n_records > 0
      and form in ({{ names(record_forms | rejectattr('optional') | list) }})
)

select submission_id
from filled
group by submission_id
having count(distinct form) >= least(2, {{ record_forms | rejectattr('optional') | list | length }});
comment on view staging.monthly_workbooks is '粒度：每个完整月报文件一行（必报的单条记录表中至少两张已填写）；只补填一张表的补报文件不算。完整月报中留空的人员表表示“本月没有”。';
comment on column staging.monthly_workbooks.submission_id is '报送编号';
