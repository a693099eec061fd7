SELECT count(*) FROM _forget_mpids;
