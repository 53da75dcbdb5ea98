-- grain: one row per submission holding the contraception form (its one record), valid or not
create table if not exists raw.contraception (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
    married_women integer,
    iud integer,
    implant integer,
    female_sterilization integer,
    male_sterilization integer,
    pill integer,
    condom integer,
    other_method integer,
    no_method integer,
    has_error boolean not null
);
comment on table raw.contraception is '节育措施（月末存量）原始记录：每个报送文件一条（含有错误而隔离的记录）。';
comment on column raw.contraception.submission_id is '报送编号（血缘）';
comment on column raw.contraception.sheet is '工作表名（血缘）';
comment on column raw.contraception.excel_row is '记录所在 Excel 行号（两列式为第一项所在行）';
comment on column raw.contraception.married_women is '已婚育龄妇女数';
comment on column raw.contraception.iud is '上环';
comment on column raw.contraception.implant is '皮埋';
comment on column raw.contraception.female_sterilization is '女扎';
comment on column raw.contraception.male_sterilization is '男扎';
comment on column raw.contraception.pill is '口服药';
comment on column raw.contraception.condom is '避孕套';
comment on column raw.contraception.other_method is '其他';
comment on column raw.contraception.no_method is '未避孕';
comment on column raw.contraception.has_error is '该记录有错误：隔离，不计入统计';
