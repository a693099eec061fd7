package outputs

import (
	"context"

	"github.com/mosaic-cdp/mosaic/connectors"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// outputState is an output's connectors.OutputState, in
// _mosaic.output_kv, on the sync's connection (each call commits alone).
type outputState struct{ sy *sync }

// Get returns the values of keys that are set.
func (st *outputState) Get(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := st.sy.conn.QueryContext(ctx, sqlfiles.Get("outputs/state_get.sql"), st.sy.o.Name, keys)
	if err != nil {
		return nil, storeErr("outputs/state_get.sql", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, storeErr("outputs/state_get.sql", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr("outputs/state_get.sql", err)
	}
	return out, nil
}

// Put sets entries; of entries with one key, the last wins.
func (st *outputState) Put(ctx context.Context, entries []connectors.StateEntry) error {
	if len(entries) == 0 {
		return nil
	}
	at := make(map[string]int, len(entries))
	var keys, values, tags []string
	for _, e := range entries {
		if i, ok := at[e.Key]; ok {
			values[i], tags[i] = e.Value, e.Tag
			continue
		}
		at[e.Key] = len(keys)
		keys, values, tags = append(keys, e.Key), append(values, e.Value), append(tags, e.Tag)
	}
	return st.sy.exec(ctx, "outputs/state_put.sql", sqlfiles.Get("outputs/state_put.sql"), st.sy.o.Name, keys, values, tags, st.sy.now())
}

// DropTagged deletes the entries tagged with one of tags.
func (st *outputState) DropTagged(ctx context.Context, tags []string) (int64, error) {
	if len(tags) == 0 {
		return 0, nil
	}
	res, err := st.sy.conn.ExecContext(ctx, sqlfiles.Get("outputs/state_drop_tagged.sql"), st.sy.o.Name, tags)
	if err != nil {
		return 0, storeErr("outputs/state_drop_tagged.sql", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
