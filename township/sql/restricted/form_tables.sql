-- grain: one table per form of schemas/forms.yaml with personal fields, generated from it: one
-- row per data row of a submitted sheet, the personal fields only (names, ID numbers, notes),
-- joined to raw.<form> by (submission_id, sheet, excel_row)
{%- for form in data_forms if form.personal_fields %}

create table if not exists restricted.{{ form.name }} (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
{%- for field in form.personal_fields %}
    {{ field.name }} varchar{{ ',' if not loop.last }}
{%- endfor %}
);
comment on table restricted.{{ form.name }} is '【受限】{{ form.name_zh }}中的个人信息（姓名、完整身份证号、备注）。仅镇计生办用于回复各村，分析人员不得查询。';
comment on column restricted.{{ form.name }}.submission_id is '报送编号';
comment on column restricted.{{ form.name }}.sheet is '工作表名';
comment on column restricted.{{ form.name }}.excel_row is 'Excel 行号';
{%- for field in form.personal_fields %}
comment on column restricted.{{ form.name }}.{{ field.name }} is '{{ quoted(describe(field)) }}';
{%- endfor %}
{%- endfor %}
