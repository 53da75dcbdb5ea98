-- grain: one row per data row of a submitted 奖励扶助 sheet: the personal fields only
create table if not exists restricted.beneficiaries (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
    name varchar,
    id_number varchar,
    note varchar
);
comment on table restricted.beneficiaries is '【受限】奖励扶助对象的个人信息。仅镇计生办使用。';
comment on column restricted.beneficiaries.submission_id is '报送编号';
comment on column restricted.beneficiaries.sheet is '工作表名';
comment on column restricted.beneficiaries.excel_row is 'Excel 行号';
comment on column restricted.beneficiaries.name is '姓名';
comment on column restricted.beneficiaries.id_number is '身份证号（完整）';
comment on column restricted.beneficiaries.note is '备注（可能含个人信息）';
