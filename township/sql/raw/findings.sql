-- grain: one row per finding (rule broken) in a submission; wording with values: restricted.findings
create table if not exists raw.findings (
    submission_id varchar not null,
    finding_no integer not null,
    sheet varchar,
    excel_row integer,
    cell varchar,
    field varchar,
    rule_id varchar not null,
    severity varchar not null
);
comment on table raw.findings is '校验发现：每个报送文件的每条问题一行（不含填报值；含值的中文说明在 restricted.findings）。';
comment on column raw.findings.submission_id is '报送编号';
comment on column raw.findings.finding_no is '该文件内的问题序号';
comment on column raw.findings.sheet is '工作表名';
comment on column raw.findings.excel_row is 'Excel 行号';
comment on column raw.findings.cell is '单元格（A1 形式，如 E7）';
comment on column raw.findings.field is '字段（英文规范名）';
comment on column raw.findings.rule_id is '规则编号（见 township/rules/catalog.yaml）';
comment on column raw.findings.severity is 'error（错误，隔离）| warning（警告，照常入库）';
