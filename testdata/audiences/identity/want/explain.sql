-- The compiled query of each audience of pipeline identity, in the order a
-- run evaluates them (an audience after those it refers to). $now is the
-- run's clock.

-- audience has_email (pipeline.yaml:28:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_identities WHERE identity_type = 'email'
);

-- audience has_customer_id (pipeline.yaml:29:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_identities WHERE identity_type = 'customerid'
);

-- audience has_idfa (pipeline.yaml:30:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_identities WHERE identity_type = 'ios_idfa'
);

-- audience has_mobile (pipeline.yaml:31:13)
SELECT mpid FROM main.profiles
WHERE mpid IN (
    SELECT mpid FROM main.profile_identities WHERE identity_type = 'mobile_number'
);
