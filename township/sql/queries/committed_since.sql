-- grain: one row per load committed since $since (a moment with its time zone): when, how many
-- new files, and the report months they were for; then whether indicators were built since
with since_loads as (
    select load_id, loaded_at, n_files
    from raw.loads
    where loaded_at >= $since::timestamptz::timestamp
),

months as (
    select
        ingest_id as load_id,
        string_agg(distinct report_month, '、' order by report_month) as report_months
    from raw.file_outcomes
    where outcome = 'loaded'
    group by all
)

select
    l.loaded_at, l.n_files, m.report_months,
    (
        select count(*)
        from marts.indicator_builds as b
        where b.built_at >= l.loaded_at
    ) as builds_after
from since_loads as l
left join months as m using (load_id)
order by l.loaded_at;
