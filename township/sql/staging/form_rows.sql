-- grain: one row per data row of any form of any received file (generated from schemas/forms.yaml):
-- a person form's rows, a one-record form's record; valid or quarantined
create or replace view staging.form_rows as
{%- for form in data_forms %}
select '{{ form.name }}' as form, submission_id, sheet, excel_row, has_error
from raw.{{ form.name }}
{{- '\nunion all' if not loop.last else ';' }}
{%- endfor %}
comment on view staging.form_rows is '粒度：每个收到的文件中任一报表的每一数据行（人员表的每一行、单条记录表的那条记录），含隔离的行。';
