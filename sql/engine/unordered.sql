-- Before an INSERT ... SELECT into a table that other inserts of the run
-- also write (Tx.ExecUnordered): DuckDB runs it as a plain insert instead
-- of a batch insert. ordered.sql sets the default back.
SET preserve_insertion_order = false;
