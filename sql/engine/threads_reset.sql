-- Give DuckDB back its default threads, one per core (Store.LimitThreads).
RESET threads;
