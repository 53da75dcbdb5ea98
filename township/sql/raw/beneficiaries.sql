-- grain: one row per data row of a submitted 奖励扶助 sheet, valid or not (names and IDs: restricted.beneficiaries)
create table if not exists raw.beneficiaries (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
    person_key varchar,
    id_masked varchar,
    category varchar,
    approved_on date,
    has_error boolean not null
);
comment on table raw.beneficiaries is '奖励扶助新增对象原始行（含隔离行）。姓名与完整身份证号只在 restricted.beneficiaries。';
comment on column raw.beneficiaries.submission_id is '报送编号（血缘）';
comment on column raw.beneficiaries.sheet is '工作表名（血缘）';
comment on column raw.beneficiaries.excel_row is 'Excel 行号（血缘）';
comment on column raw.beneficiaries.person_key is '身份证号的带密钥哈希（HMAC）';
comment on column raw.beneficiaries.id_masked is '身份证号（脱敏）';
comment on column raw.beneficiaries.category is '类别：农村奖励扶助 | 特别扶助 | 独女户高考加分';
comment on column raw.beneficiaries.approved_on is '认定日期';
comment on column raw.beneficiaries.has_error is '该行有错误：隔离，不计入统计';
