package files

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cespare/xxhash/v2"
)

// countSink stages into a DuckDB connection of its own and counts rows.
type countSink struct {
	t       *testing.T
	conn    *sql.Conn
	rows    int64
	dropped int64
	temps   int
}

func (s *countSink) count(q string) int64 {
	var n int64
	if err := s.conn.QueryRowContext(context.Background(), "SELECT count(*) FROM ("+q+")").Scan(&n); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return n
}
func (s *countSink) Query(_ context.Context, q string) error   { s.rows += s.count(q); return nil }
func (s *countSink) Dropped(_ context.Context, q string) error { s.dropped += s.count(q); return nil }
func (s *countSink) Temp(ctx context.Context, q string) (string, error) {
	s.temps++
	name := fmt.Sprintf("tmp_%d", s.temps)
	_, err := s.conn.ExecContext(ctx, "CREATE TEMP TABLE "+name+" AS "+q)
	return name, err
}
func (s *countSink) Arrow(context.Context, array.RecordReader) error          { return nil }
func (s *countSink) DroppedRecords(context.Context, array.RecordReader) error { return nil }

// TestWholeReadStopsAtPlannedEnd: lines a writer appends between planning
// a whole NDJSON read and DuckDB's read of the file are left for the next
// read, half-written last line included.
func TestWholeReadStopsAtPlannedEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ndjson")
	if err := os.WriteFile(path, []byte("{\"id\":1}\n{\"id\":2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	now := fileState{Size: info.Size(), ModTime: info.ModTime()}
	f := file{path: path, origin: "a.ndjson", columns: []string{"id"}}
	g, state, done, err := f.spanned(context.Background(), "ndjson", nil, now, false)
	if err != nil || done == nil {
		t.Fatalf("spanned: %v", err)
	}
	st, err := state()
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	fh, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString("{\"id\":3}\n{\"id\":")
	fh.Close()

	db, conn, err := openDuckDB(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer conn.Close()
	sink := &countSink{t: t, conn: conn}
	if err := g.read(context.Background(), "ndjson", sink); err != nil {
		t.Fatal(err)
	}
	if sink.rows != 2 || sink.dropped != 0 || st.Read != now.Size || st.Lines != 2 {
		t.Errorf("read %d rows, dropped %d, state %+v; want 2 rows, none dropped, read up to %d", sink.rows, sink.dropped, st, now.Size)
	}
}

// TestPlanSpanAcrossChunks: the read's end, line count and hash come out
// the same whatever the file's size against the 1 MiB chunks the end is
// looked for in, a last line longer than several chunks included.
func TestPlanSpanAcrossChunks(t *testing.T) {
	line := strings.Repeat("x", 1000) + "\n"
	for _, c := range []struct {
		lines, tail int
	}{{0, 0}, {0, 10}, {1, 0}, {1049, 0}, {1049, 576}, {1048, 1}, {3000, 3 << 20}, {0, 5 << 20}} {
		content := strings.Repeat(line, c.lines) + strings.Repeat("y", c.tail)
		path := filepath.Join(t.TempDir(), "a.ndjson")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, beside := range []bool{false, true} {
			sp, err := planSpan(context.Background(), path, nil, fileState{Size: int64(len(content))}, true, beside, false)
			if err != nil {
				t.Fatal(err)
			}
			st, err := sp.wait()
			if err != nil {
				t.Fatal(err)
			}
			read := int64(c.lines * len(line))
			sum := fmt.Sprintf("%016x", xxhash.Sum64String(content[:read]))
			if sp.from != 0 || sp.to != read || st.Read != read || st.Lines != int64(c.lines) || st.Sum != sum || st.SHA256 != "" {
				t.Errorf("%d lines and %d bytes after them (beside %v): span [%d, %d), state %+v; want [0, %d), %d lines", c.lines, c.tail, beside, sp.from, sp.to, st, read, c.lines)
			}
		}
	}
}

// TestPlanSpanEarlierState: a state an earlier release wrote (the SHA-256
// of the bytes read) still lets an appended file be read from where that
// read ended, and the new state holds the XXH64 of everything read; a
// file whose read part changed is read whole.
func TestPlanSpanEarlierState(t *testing.T) {
	read := "{\"id\":1}\n{\"id\":2}\n"
	for _, c := range []struct {
		content string
		from    int64
	}{
		{read + "{\"id\":3}\n", int64(len(read))},
		{strings.Replace(read, "2", "9", 1) + "{\"id\":3}\n", 0},
	} {
		path := filepath.Join(t.TempDir(), "a.ndjson")
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(read))
		prev := &fileState{Size: int64(len(read)), Read: int64(len(read)), SHA256: hex.EncodeToString(sum[:]), Lines: 2}
		sp, err := planSpan(context.Background(), path, prev, fileState{Size: int64(len(c.content))}, true, false, false)
		if err != nil {
			t.Fatal(err)
		}
		st, err := sp.wait()
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%016x", xxhash.Sum64String(c.content))
		if sp.from != c.from || sp.to != int64(len(c.content)) || st.Lines != 3 || st.Sum != want || st.SHA256 != "" {
			t.Errorf("%q: span [%d, %d), state %+v; want [%d, %d), 3 lines, xxh64 %s", c.content, sp.from, sp.to, st, c.from, len(c.content), want)
		}
	}
}

// TestPlanSpanStopsWhenCancelled: the pass that hashes a file beside its
// read stops with the read's context (a failed or cancelled read does not
// wait for the rest of a large file to be hashed), and says so.
func TestPlanSpanStopsWhenCancelled(t *testing.T) {
	content := strings.Repeat(strings.Repeat("x", 1023)+"\n", 8<<10) // 8 MiB: 8 of hashLines' chunks
	path := filepath.Join(t.TempDir(), "a.ndjson")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, beside := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		sp, err := planSpan(ctx, path, nil, fileState{Size: int64(len(content))}, true, beside, beside)
		if err == nil {
			_, err = sp.wait()
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("beside %v: the pass ended with %v, want the context's error", beside, err)
		}
	}
}
