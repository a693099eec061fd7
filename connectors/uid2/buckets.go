package uid2

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TimestampLayout is how UID2 writes the times of the buckets endpoint:
// ISO 8601 in UTC, without a zone (the answer's may have fractions of a
// second).
const TimestampLayout = "2006-01-02T15:04:05"

// Bucket is a salt bucket and the last time its salt rotated (UTC).
type Bucket struct {
	ID          string
	LastUpdated time.Time
}

// bucketsRequest is a buckets request's plaintext body.
type bucketsRequest struct {
	Since string `json:"since_timestamp"`
}

// bucketsResponse is a buckets answer's plaintext.
type bucketsResponse struct {
	Body []struct {
		BucketID    string `json:"bucket_id"`
		LastUpdated string `json:"last_updated"`
	} `json:"body"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Buckets returns the salt buckets UID2 says rotated since since (to the
// second; UID2 compares in UTC). The raw UID2s of a rotated bucket's
// hashes have changed: map them again.
func (c *Client) Buckets(ctx context.Context, since time.Time) ([]Bucket, error) {
	var out bucketsResponse
	req := bucketsRequest{Since: since.UTC().Format(TimestampLayout)}
	if err := c.post(ctx, c.bucketsURL, req, &out, "a buckets response"); err != nil {
		return nil, err
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("POST %s: UID2 answered status %q: %s", c.bucketsURL, out.Status, out.Message)
	}
	bs := make([]Bucket, 0, len(out.Body))
	for _, b := range out.Body {
		t, err := time.Parse(TimestampLayout, strings.TrimSuffix(b.LastUpdated, "Z"))
		if err != nil || b.BucketID == "" {
			return nil, fmt.Errorf("POST %s: the answer lists bucket %q updated %q: not a bucket id and a time like 2022-06-05T22:52:03.109", c.bucketsURL, b.BucketID, b.LastUpdated)
		}
		bs = append(bs, Bucket{ID: b.BucketID, LastUpdated: t})
	}
	return bs, nil
}
