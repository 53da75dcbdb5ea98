-- grain: one row per refused submission: the reason as the village was told it, word for word
create table if not exists restricted.submissions (
    submission_id varchar primary key,
    reason_zh varchar not null
);
comment on table restricted.submissions is '【受限】拒收原因原文（可能引用文件中填写的内容，如封面的村名），用于生成各村校验报告。raw.submissions.reason_zh 为不含文件内容的概括说明。';
comment on column restricted.submissions.submission_id is '报送编号';
comment on column restricted.submissions.reason_zh is '发给村的拒收原因原文';
