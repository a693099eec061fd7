-- The default again after unordered.sql.
RESET preserve_insertion_order;
