-- grain: one row per data row of a submitted 出生登记 sheet, valid or not (names and IDs: restricted.births)
create table if not exists raw.births (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
    person_key varchar,
    mother_id_masked varchar,
    child_sex varchar,
    birth_date date,
    parity integer,
    in_policy boolean,
    residence varchar,
    has_error boolean not null
);
comment on table raw.births is '出生登记原始行：每个报送文件的每一数据行（含有错误而隔离的行）。姓名与完整身份证号只在 restricted.births。';
comment on column raw.births.submission_id is '报送编号（血缘）';
comment on column raw.births.sheet is '工作表名（血缘）';
comment on column raw.births.excel_row is 'Excel 行号（血缘）';
comment on column raw.births.person_key is '母亲身份证号的带密钥哈希（HMAC），用于去重与关联';
comment on column raw.births.mother_id_masked is '母亲身份证号（脱敏：前6位与后4位）';
comment on column raw.births.child_sex is '婴儿性别：男 | 女';
comment on column raw.births.birth_date is '出生日期';
comment on column raw.births.parity is '孩次 1, 2, 3…';
comment on column raw.births.in_policy is '是否符合政策（空视为符合）';
comment on column raw.births.residence is '流动性质：户籍 | 流入 | 流出';
comment on column raw.births.has_error is '该行有错误：隔离，不计入统计，直到村重新报送';
