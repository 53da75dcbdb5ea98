-- grain: one row per received file version: (report month, village, file sha256); never deleted
create table if not exists raw.submissions (
    submission_id varchar primary key,
    file_sha256 varchar not null,
    file_name varchar not null,
    file_path varchar not null,
    report_month varchar not null,
    village_code varchar,
    received_at timestamp not null,
    ingested_at timestamp not null,
    size_bytes bigint not null,
    status varchar not null,
    reason_code varchar,
    reason_zh varchar,
    n_records integer not null,
    n_errors integer not null,
    n_warnings integer not null
);
comment on table raw.submissions is '报送文件登记：每个收到的文件版本一行（按 sha256 识别），只增不改。';
comment on column raw.submissions.submission_id is '报送编号：由报告期、报送村与文件 sha256 决定（同一村同一月份重复报送同一文件不产生新编号；两个村内容相同的文件各是一份报送）';
comment on column raw.submissions.file_sha256 is '文件内容的 SHA-256';
comment on column raw.submissions.file_name is '文件名';
comment on column raw.submissions.file_path is '文件在 raw 目录下的相对路径';
comment on column raw.submissions.report_month is '报告期 YYYY-MM（取自目录名）';
comment on column raw.submissions.village_code is '报送村代码；无法识别时为空';
comment on column raw.submissions.received_at is '收到时间（文件修改时间），决定版本先后与 as_of';
comment on column raw.submissions.ingested_at is '入库时间';
comment on column raw.submissions.size_bytes is '文件大小（字节）';
comment on column raw.submissions.status is 'accepted | accepted_with_warnings | has_errors | rejected';
comment on column raw.submissions.reason_code is '拒收原因代码（英文，供日志）';
comment on column raw.submissions.reason_zh is '拒收原因（中文概括，不含文件中填写的内容；发给村的原文在 restricted.submissions）';
comment on column raw.submissions.n_records is '读到的记录数（含有错误的；拒收的文件为拒收前读到的）';
comment on column raw.submissions.n_errors is '错误条数';
comment on column raw.submissions.n_warnings is '警告条数';
