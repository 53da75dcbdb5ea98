-- a committed load: its id, when, how many files, where it ran
insert into raw.loads values ($load_id, now()::timestamp, $n_files, $host, $pid);
