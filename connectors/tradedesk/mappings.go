package tradedesk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/uid2"
)

// The output's state (connectors.OutputState) holds:
//
//	map:<kind>:<hash>  "<raw UID2> <bucket id>", tagged with the bucket id
//	buckets_checked    when the writer last asked UID2 which buckets rotated (RFC 3339, UTC)
//
// Only mapped hashes are kept: an opted-out or invalid one is asked again
// at each sync.
const checkedKey = "buckets_checked"

func stateKey(cacheKey string) string { return "map:" + cacheKey }

// checkBuckets, once per writer, drops the kept mappings of the buckets
// UID2 says rotated since the last check, then records this check's time
// (to the second, before the request: a rotation during it is seen again
// next time).
func (w *writer) checkBuckets(ctx context.Context) error {
	if w.state == nil || w.checked {
		return nil
	}
	now := time.Now().UTC().Truncate(time.Second)
	got, err := w.state.Get(ctx, []string{checkedKey})
	if err != nil {
		return fmt.Errorf("read the time of the last bucket check: %w", err)
	}
	if last, ok := got[checkedKey]; ok {
		since, err := time.Parse(time.RFC3339, last)
		if err != nil {
			return fmt.Errorf("the output's state holds %q as the last bucket check, not an RFC 3339 time: `mosaic forget` or deleting the output's rows from _mosaic.output_kv clears it", last)
		}
		buckets, err := w.uid2.Buckets(ctx, since)
		if err != nil {
			return fmt.Errorf("ask UID2 which salt buckets rotated since %s: %w", last, err)
		}
		ids := make([]string, len(buckets))
		for i, b := range buckets {
			ids[i] = b.ID
		}
		if _, err := w.state.DropTagged(ctx, ids); err != nil {
			return fmt.Errorf("drop the mappings of rotated buckets: %w", err)
		}
	}
	if err := w.state.Put(ctx, []connectors.StateEntry{{Key: checkedKey, Value: now.Format(time.RFC3339)}}); err != nil {
		return fmt.Errorf("record the bucket check: %w", err)
	}
	w.checked = true
	return nil
}

// mapAll maps the hashes not yet in the cache, one kind at a time: those
// the output's state keeps from an earlier sync are read from it, the
// others are asked of UID2 and kept.
func (w *writer) mapAll(ctx context.Context, ids [][]ident) error {
	if err := w.checkBuckets(ctx); err != nil {
		return err
	}
	var keys []string
	kindOf := map[string]ident{}
	for _, rec := range ids {
		for _, id := range rec {
			k := id.kind + ":" + id.hash
			if _, ok := w.cache[k]; !ok {
				if _, queued := kindOf[k]; !queued {
					kindOf[k] = id
					keys = append(keys, k)
				}
			}
		}
	}
	if w.state != nil && len(keys) > 0 {
		sk := make([]string, len(keys))
		for i, k := range keys {
			sk[i] = stateKey(k)
		}
		kept, err := w.state.Get(ctx, sk)
		if err != nil {
			return fmt.Errorf("read the kept UID2 mappings: %w", err)
		}
		for _, k := range keys {
			if v, ok := kept[stateKey(k)]; ok {
				if uid, bucket, ok := strings.Cut(v, " "); ok && uid != "" {
					w.cache[k] = uid2.Mapping{UID2: uid, BucketID: bucket}
				}
			}
		}
	}
	todo := map[string][]string{}
	for _, k := range keys {
		if _, ok := w.cache[k]; !ok {
			id := kindOf[k]
			todo[id.kind] = append(todo[id.kind], id.hash)
		}
	}
	for _, kind := range []string{uid2.KindEmail, uid2.KindPhone} {
		if len(todo[kind]) == 0 {
			continue
		}
		got, err := w.uid2.Map(ctx, kind, todo[kind])
		if err != nil {
			return err
		}
		var keep []connectors.StateEntry
		for h, m := range got {
			w.cache[kind+":"+h] = m
			if m.UID2 != "" && m.BucketID != "" {
				keep = append(keep, connectors.StateEntry{Key: stateKey(kind + ":" + h), Value: m.UID2 + " " + m.BucketID, Tag: m.BucketID})
			}
		}
		if w.state != nil {
			if err := w.state.Put(ctx, keep); err != nil {
				return fmt.Errorf("keep the UID2 mappings: %w", err)
			}
		}
	}
	return nil
}
