-- A profile's Profile API document by its MPID (profiledocs keeps them).
SELECT doc FROM _mosaic.profile_docs WHERE mpid = $1;
