-- a submission's counts and status after $warnings of its warnings were withdrawn, for
-- submission $submission_id: with no warning or error left, it is accepted
update raw.submissions
set n_warnings = n_warnings - $warnings,
    status = case
        when status = 'accepted_with_warnings' and n_warnings = $warnings and n_errors = 0
            then 'accepted'
        else status end
where submission_id = $submission_id;
