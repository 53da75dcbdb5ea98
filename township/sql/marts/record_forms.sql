-- grain: per one-record form of schemas/forms.yaml, a view (generated from it): one row per
-- (village, report month), the current valid record, its sums, its periods and its lineage
{%- for form in record_forms %}
{%- set kinds = form.measure_kinds %}

create or replace view marts.{{ form.name }} as
with records as (
    select *
    from staging.{{ form.name }}(null)
),

with_files as (
    select
        r.*,
        s.file_name
    from records as r
    join raw.submissions as s using (submission_id)
)

select
    r.village_code,
    v.village_name,
    r.report_month,
    [p.period for p in staging.periods_of(strptime(r.report_month, '%Y-%m')::date)] as periods,
{%- for field in form.fields %}
    r.{{ field.name }},
{%- endfor %}
{%- for total in form.sums %}
    r.{{ total.name }},
{%- endfor %}
    r.submission_id,
    r.file_name,
    r.file_sha256,
    r.received_at,
    r.sheet,
    r.excel_row
from with_files as r
left join raw.villages as v using (village_code);

comment on view marts.{{ form.name }} is '{{ form.name_zh }}（{{ '月末存量' if kinds == ['stock'] else '本月发生数' if kinds == ['event'] else '本月发生数与月末存量' }}）：粒度：每个（村, 报告期）一行，取当前版本的有效记录；有错误而隔离的记录不在此表（见 marts.quarantined_rows）。{{ '期间的存量取期间内该村最后一个上报月份。' if 'stock' in kinds }}{{ '期间的发生数为期间内各月之和。' if 'event' in kinds }}';
comment on column marts.{{ form.name }}.village_code is '村代码（12位）';
comment on column marts.{{ form.name }}.village_name is '村名';
comment on column marts.{{ form.name }}.report_month is '报告期 YYYY-MM';
comment on column marts.{{ form.name }}.periods is '该报告期所属的五个期间{{ '；存量指标取期间内最后一个上报月份，不可跨月相加' if 'stock' in kinds else '（发生数按报告期累加）' }}';
{%- for field in form.fields %}
comment on column marts.{{ form.name }}.{{ field.name }} is '{{ quoted(field.name_zh) }}{{ '（月末存量）' if kinds | length > 1 and field.measure == 'stock' }}';
{%- endfor %}
{%- for total in form.sums %}
comment on column marts.{{ form.name }}.{{ total.name }} is '{{ quoted(total.name_zh) }}';
{%- endfor %}
comment on column marts.{{ form.name }}.submission_id is '血缘：报送编号';
comment on column marts.{{ form.name }}.file_name is '血缘：文件名';
comment on column marts.{{ form.name }}.file_sha256 is '血缘：文件内容的 SHA-256';
comment on column marts.{{ form.name }}.received_at is '血缘：该文件的收到时间';
comment on column marts.{{ form.name }}.sheet is '血缘：工作表名';
comment on column marts.{{ form.name }}.excel_row is '血缘：记录所在 Excel 行号（两列式为第一项所在行）';
{%- endfor %}
