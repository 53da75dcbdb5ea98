-- the wording of the findings withdrawn: the keys given ('<submission>/<no>')
delete from restricted.findings
where submission_id || '/' || finding_no in (select unnest(?::varchar[]));
