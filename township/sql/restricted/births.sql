-- grain: one row per data row of a submitted 出生登记 sheet: the personal fields only
create table if not exists restricted.births (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
    mother_name varchar,
    mother_id varchar,
    father_name varchar,
    father_id varchar,
    child_name varchar,
    note varchar
);
comment on table restricted.births is '【受限】出生登记中的个人信息（姓名、完整身份证号）。仅镇计生办用于回复各村，分析人员不得查询。';
comment on column restricted.births.submission_id is '报送编号';
comment on column restricted.births.sheet is '工作表名';
comment on column restricted.births.excel_row is 'Excel 行号';
comment on column restricted.births.mother_name is '母亲姓名';
comment on column restricted.births.mother_id is '母亲身份证号（完整）';
comment on column restricted.births.father_name is '父亲姓名';
comment on column restricted.births.father_id is '父亲身份证号（完整）';
comment on column restricted.births.child_name is '婴儿姓名';
comment on column restricted.births.note is '备注（可能含个人信息）';
