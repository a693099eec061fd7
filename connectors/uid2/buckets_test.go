package uid2

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/uid2/uid2test"
)

// TestBuckets: the buckets endpoint, in real envelopes, lists the buckets
// rotated since the time asked (sent as yyyy-MM-ddTHH:mm:ss in UTC), and
// a rotated hash maps to a new UID2 in the same bucket.
func TestBuckets(t *testing.T) {
	s := uid2test.New(t, apiKey, secret(t))
	c := NewClient(s.URL, apiKey, secret(t), fastOptions())
	h, _ := adnorm.UID2(adnorm.UID2KindEmail, "a@example.com")
	before, err := c.Map(context.Background(), KindEmail, []string{h})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Second)
	got, err := c.Buckets(context.Background(), start)
	if err != nil || len(got) != 0 {
		t.Fatalf("before a rotation: %v, %v; want no bucket", got, err)
	}
	s.Rotate(h)
	got, err = c.Buckets(context.Background(), start.In(time.FixedZone("east", 5*3600)))
	if err != nil || len(got) != 1 || got[0].ID != before[h].BucketID || got[0].LastUpdated.Before(start.Truncate(time.Second)) {
		t.Fatalf("after rotating %s: %+v, %v; want that bucket, updated after %s", before[h].BucketID, got, err, start)
	}
	reqs := s.Requests()
	since := reqs[len(reqs)-1].Since
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`).MatchString(since) || since != start.UTC().Format(TimestampLayout) {
		t.Errorf("since_timestamp %q, want %s (UTC, to the second)", since, start.UTC().Format(TimestampLayout))
	}
	if got, err := c.Buckets(context.Background(), time.Now().Add(time.Minute)); err != nil || len(got) != 0 {
		t.Errorf("since a time after the rotation: %v, %v", got, err)
	}
	after, err := c.Map(context.Background(), KindEmail, []string{h})
	if err != nil || after[h].UID2 == before[h].UID2 || after[h].BucketID != before[h].BucketID || after[h].UID2 != s.UID2Of(h) {
		t.Errorf("after the rotation %s maps to %+v (before %+v)", h, after[h], before[h])
	}
}
