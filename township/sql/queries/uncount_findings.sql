-- a submission's counts and status after $warnings of its warnings and $errors of its errors
-- were withdrawn, for submission $submission_id: with no error left it has warnings or is
-- accepted
update raw.submissions
set n_warnings = n_warnings - $warnings,
    n_errors = n_errors - $errors,
    status = case
        when status in ('accepted_with_warnings', 'has_errors') and n_errors = $errors
            then case when n_warnings = $warnings then 'accepted' else 'accepted_with_warnings' end
        else status end
where submission_id = $submission_id;
