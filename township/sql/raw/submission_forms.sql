-- grain: one row per (submission, form) the file holds
create table if not exists raw.submission_forms (
    submission_id varchar not null,
    form varchar not null,
    sheet varchar not null,
    n_records integer not null,
    primary key (submission_id, form)
);
comment on table raw.submission_forms is '每个报送文件包含的报表：决定（村, 报告期, 报表）的当前版本。';
comment on column raw.submission_forms.submission_id is '报送编号';
comment on column raw.submission_forms.form is '报表：births | contraception | migrants | beneficiaries | services';
comment on column raw.submission_forms.sheet is '工作表名（CSV 为文件名）';
comment on column raw.submission_forms.n_records is '该表读到的记录数';
