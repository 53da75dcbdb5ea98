-- grain: one table per form of schemas/forms.yaml, generated from it (a form is defined there
-- once): a person form's table one row per data row of a submitted sheet, a one-record form's
-- one row per submission holding it; valid or quarantined rows alike, with their lineage.
-- The personal fields are not here: restricted/form_tables.sql
{%- for form in data_forms %}

create table if not exists raw.{{ form.name }} (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
{%- if form.person_key %}
    person_key varchar,
    {{ form.person_key.masked }} varchar,
{%- endif %}
{%- for field in form.public_fields %}
    {{ field.name }} {{ field.sql_type }},
{%- endfor %}
    has_error boolean not null
);
{%- if form.kind == 'person' %}
comment on table raw.{{ form.name }} is '{{ form.name_zh }}原始行：每个报送文件的每一数据行（含有错误而隔离的行）。姓名与完整身份证号只在 restricted.{{ form.name }}。';
{%- else %}
{%- set kinds = form.fields | map(attribute='measure') | unique | list %}
comment on table raw.{{ form.name }} is '{{ form.name_zh }}（{{ '月末存量' if kinds == ['stock'] else '本月发生数' if kinds == ['event'] else '本月发生数与月末存量' }}）原始记录：每个报送文件一条（含有错误而隔离的记录）。';
{%- endif %}
comment on column raw.{{ form.name }}.submission_id is '报送编号（血缘）';
comment on column raw.{{ form.name }}.sheet is '工作表名（血缘）';
comment on column raw.{{ form.name }}.excel_row is '{{ 'Excel 行号（血缘）' if form.kind == 'person' else '记录所在 Excel 行号（两列式为第一项所在行）' }}';
{%- if form.person_key %}
comment on column raw.{{ form.name }}.person_key is '{{ form.field(form.person_key.field).name_zh }}的带密钥哈希（HMAC），用于去重与关联';
comment on column raw.{{ form.name }}.{{ form.person_key.masked }} is '{{ form.field(form.person_key.field).name_zh }}（脱敏：前6位与后4位）';
{%- endif %}
{%- for field in form.public_fields %}
comment on column raw.{{ form.name }}.{{ field.name }} is '{{ quoted(describe(field)) }}';
{%- endfor %}
comment on column raw.{{ form.name }}.has_error is '{{ '该行' if form.kind == 'person' else '该记录' }}有错误：隔离，不计入统计，直到村重新报送';
{%- endfor %}
