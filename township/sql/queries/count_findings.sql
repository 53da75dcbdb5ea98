-- a submission's counts and status after findings added to it once every file is loaded:
-- $warnings and $errors more, for submission $submission_id
update raw.submissions
set n_warnings = n_warnings + $warnings,
    n_errors = n_errors + $errors,
    status = case
        when $errors > 0 then 'has_errors'
        when status = 'accepted' and $warnings > 0 then 'accepted_with_warnings'
        else status end
where submission_id = $submission_id;
