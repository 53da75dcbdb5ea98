-- grain: the rows of the marts view $view, as they are (filtered by period by the caller)
select *
from query_table($view);
