package config_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

var update = flag.Bool("update", false, "rewrite the want.txt of the error cases under testdata/errors (then check them by hand)")

// TestParseErrorCases runs the error cases of testdata/errors/: each folder
// holds a small pipeline.yaml with one thing broken and want.txt, the exact
// error Parse must return for it. A new case is a new folder; `go test
// -run TestParseErrorCases -update` writes its want.txt, to check by hand.
func TestParseErrorCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/errors/*")
	if err != nil || len(dirs) < 100 {
		t.Fatalf("testdata/errors holds %d cases (%v)", len(dirs), err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "pipeline.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := config.Parse("pipeline.yaml", src)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if p != nil {
				t.Errorf("Parse returned a pipeline together with an error")
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(err.Error()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, rerr := os.ReadFile(wantFile)
			if rerr != nil {
				t.Fatalf("%v (run with -update to write it, then check it by hand)", rerr)
			}
			if got := err.Error(); got != strings.TrimSuffix(string(want), "\n") {
				t.Errorf("Parse error\n got: %s\nwant: %s\nwhere got points:\n%s", got, want, pointAt("pipeline.yaml", string(src), got))
			}
		})
	}
}

// errorCase is a small pipeline file, named p.yaml, with one thing broken,
// and the exact error Parse must return for it (the outputs' cases; the
// others are files under testdata/errors).
type errorCase struct {
	name string
	src  string
	want string
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("two cases are named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			p, err := config.Parse("p.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse succeeded, want error\n%s", tc.want)
			}
			if p != nil {
				t.Errorf("Parse returned a pipeline together with an error")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse error\n got: %s\nwant: %s\nwhere got points:\n%s", got, tc.want, pointAt("p.yaml", tc.src, got))
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
		})
	}
}

// pointAt shows, for each "file:line:col: ..." line of msg, the source
// line with a caret under col, to help check a position by eye.
func pointAt(file, src, msg string) string {
	lines := strings.Split(src, "\n")
	var b strings.Builder
	for _, m := range strings.Split(msg, "\n") {
		var line, col int
		if _, err := fmt.Sscanf(strings.TrimPrefix(m, file+":"), "%d:%d:", &line, &col); err != nil || line < 1 || line > len(lines) || col < 1 {
			fmt.Fprintf(&b, "  (no position) %s\n", m)
			continue
		}
		fmt.Fprintf(&b, "  %3d | %s\n        %s^\n", line, lines[line-1], strings.Repeat(" ", col-1))
	}
	return b.String()
}

// The valid minimal pipeline every case breaks:
//
//	version: 1
//	name: p
//	feeds:
//	  - name: f
//	    source: { kind: files }
//	    source_type: sdk
//	    mpid: id
func TestParseValidMinimal(t *testing.T) {
	src := "version: 1\nname: p\nfeeds:\n  - name: f\n    source: { kind: files }\n    source_type: sdk\n    mpid: id\n"
	if _, err := config.Parse("p.yaml", []byte(src)); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}
