-- grain: one row per finding: the wording sent to the village, which may quote personal values
create table if not exists restricted.findings (
    submission_id varchar not null,
    finding_no integer not null,
    value varchar,
    message_zh varchar not null,
    fix_zh varchar not null
);
comment on table restricted.findings is '【受限】校验发现的中文说明与填报值（可能含身份证号），用于生成各村校验报告。';
comment on column restricted.findings.submission_id is '报送编号';
comment on column restricted.findings.finding_no is '该文件内的问题序号';
comment on column restricted.findings.value is '填报值（原样）';
comment on column restricted.findings.message_zh is '问题说明';
comment on column restricted.findings.fix_zh is '修改方法';
