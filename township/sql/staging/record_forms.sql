-- grain: per one-record form of schemas/forms.yaml, a table macro (generated from it): one row
-- per (village, report month), the current valid record at as_of, with its lineage and the
-- form's sums (a blank counted as 0: the one place they are defined)
{%- for form in record_forms %}

create or replace macro staging.{{ form.name }}(as_of) as table
with current_records as (
    select r.*, c.village_code, c.report_month, c.received_at, c.file_sha256
    from raw.{{ form.name }} as r
    join staging.current_forms(as_of) as c
        on c.submission_id = r.submission_id and c.form = '{{ form.name }}'
    where not r.has_error
)

select
    * exclude (has_error)
{%- for total in form.sums %},
    {% for field in total.of %}coalesce({{ field }}, 0){{ ' + ' if not loop.last }}{% endfor %} as {{ total.name }}
{%- endfor %}
from current_records;
comment on macro table staging.{{ form.name }} is '粒度：每个（村, 报告期）一条当前有效的{{ form.name_zh }}记录。参数 as_of。';
{%- endfor %}
