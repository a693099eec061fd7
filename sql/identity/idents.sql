-- The run's identities for the kernel, each with the rows that carry it.
SELECT id, rank, seed, rows FROM _id_groups;
