-- grain: one row per submission holding the migrants form (its one record), valid or not
create table if not exists raw.migrants (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
    out_migrants integer,
    out_married_women integer,
    out_certified integer,
    out_contacted integer,
    in_migrants integer,
    in_married_women integer,
    has_error boolean not null
);
comment on table raw.migrants is '流动人口（月末存量）原始记录：每个报送文件一条（含有错误而隔离的记录）。';
comment on column raw.migrants.submission_id is '报送编号（血缘）';
comment on column raw.migrants.sheet is '工作表名（血缘）';
comment on column raw.migrants.excel_row is '记录所在 Excel 行号（两列式为第一项所在行）';
comment on column raw.migrants.out_migrants is '流出人口数';
comment on column raw.migrants.out_married_women is '流出已婚育龄妇女数';
comment on column raw.migrants.out_certified is '已办婚育证明数';
comment on column raw.migrants.out_contacted is '定期联系数';
comment on column raw.migrants.in_migrants is '流入人口数';
comment on column raw.migrants.in_married_women is '流入已婚育龄妇女数';
comment on column raw.migrants.has_error is '该记录有错误：隔离，不计入统计';
