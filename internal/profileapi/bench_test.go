package profileapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// BenchmarkProfileByMPID reads profiles of the store named by
// MOSAIC_PROFILE_BENCH_STORE (one whose runs kept Profile API documents:
// bench/serve.sh leaves serve.duckdb) through the handler, in process,
// from as many goroutines as GOMAXPROCS: the Profile API's cost without
// HTTP on loopback.
//
//	MOSAIC_PROFILE_BENCH_STORE=/tmp/mosaic-bench/users-1000000/serve.duckdb \
//	  go test -tags duckdb_arrow -run - -bench ProfileByMPID ./internal/profileapi
func BenchmarkProfileByMPID(b *testing.B) {
	path := os.Getenv("MOSAIC_PROFILE_BENCH_STORE")
	if path == "" {
		b.Skip("set MOSAIC_PROFILE_BENCH_STORE to a store")
	}
	ctx := context.Background()
	store, err := engine.Open(ctx, path, engine.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	db := store.Readers(4)
	var mpids []int64
	rows, err := db.QueryContext(ctx, "SELECT mpid FROM profiles USING SAMPLE 1000 ROWS")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var m int64
		rows.Scan(&m)
		mpids = append(mpids, m)
	}
	rows.Close()
	tokens := &Tokens{ClientID: "id", ClientSecret: "s", TTL: time.Hour}
	token := tokens.Issue()
	h, err := New(ctx, db, tokens, config.Identity{}, []string{"customerid"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req := httptest.NewRequest("GET", fmt.Sprintf("/userprofile/v1/1/2/3/%d", mpids[i%len(mpids)]), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
			i++
		}
	})
}
