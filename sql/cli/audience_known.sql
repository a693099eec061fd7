-- Whether audience $1 has ever had a member in the store.
SELECT count(*) > 0 FROM main.audience_history WHERE audience = $1;
