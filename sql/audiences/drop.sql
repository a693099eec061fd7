DROP TABLE IF EXISTS _aud_members;
