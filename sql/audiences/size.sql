-- How many members the audience being evaluated has now.
SELECT count(*) FROM _aud_members;
