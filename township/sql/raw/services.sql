-- grain: one row per submission holding the services form (its one record), valid or not
create table if not exists raw.services (
    submission_id varchar not null,
    sheet varchar not null,
    excel_row integer not null,
    leaflets integer,
    slogans integer,
    posters integer,
    consultations integer,
    checkups_due integer,
    checkups_done integer,
    follow_up_visits integer,
    two_non_cases integer,
    has_error boolean not null
);
comment on table raw.services is '宣传服务（本月发生数）原始记录：每个报送文件一条（含有错误而隔离的记录）。';
comment on column raw.services.submission_id is '报送编号（血缘）';
comment on column raw.services.sheet is '工作表名（血缘）';
comment on column raw.services.excel_row is '记录所在 Excel 行号（两列式为第一项所在行）';
comment on column raw.services.leaflets is '宣传资料份数';
comment on column raw.services.slogans is '标语条数';
comment on column raw.services.posters is '宣传挂图';
comment on column raw.services.consultations is '咨询人次';
comment on column raw.services.checkups_due is '三查应查人数';
comment on column raw.services.checkups_done is '三查实查人数';
comment on column raw.services.follow_up_visits is '随访人次';
comment on column raw.services.two_non_cases is '两非案件数';
comment on column raw.services.has_error is '该记录有错误：隔离，不计入统计';
