-- The current members of audience $1 and when each entered.
SELECT mpid, entered_at FROM main.audience_members WHERE audience = $1 ORDER BY mpid;
