-- findings withdrawn after every file is loaded: those of the keys given ('<submission>/<no>')
delete from raw.findings
where submission_id || '/' || finding_no in (select unnest(?::varchar[]));
