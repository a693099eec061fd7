-- Whether any audience of a level ($1: their numbers) has members.
SELECT EXISTS (
    SELECT 1 FROM _mosaic.audience_history
    WHERE exited_at IS NULL AND list_contains($1::INTEGER[], audience_id)
);
