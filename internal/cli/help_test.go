package cli

import (
	"context"
	"flag"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// flagSets returns each command's flag set, as its --help defines it.
func flagSets(t *testing.T) map[string]*flag.FlagSet {
	t.Helper()
	sets := map[string]*flag.FlagSet{}
	for _, c := range commands() {
		e := env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, flags: func(fs *flag.FlagSet) { sets[c.name] = fs }}
		if code := c.run(context.Background(), e, []string{"--help"}); code != ExitOK || sets[c.name] == nil {
			t.Fatalf("%s --help: code %d, or no flag set made", c.name, code)
		}
	}
	return sets
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// argName is what a flag's argument is called: PATH, N, TYPE=VALUE,
// HOST:PORT, PIPELINE.yaml.
var argName = regexp.MustCompile(`^[A-Z][A-Z_]*([=:][A-Z_]+)?(\.yaml)?$`)

// TestFlagArgumentNames: --help shows a flag's argument as the first
// backquoted word of its usage (flag.UnquoteUsage), so a usage string
// backquotes the argument's name and nothing else; a boolean flag takes
// none, and every other flag names its own.
func TestFlagArgumentNames(t *testing.T) {
	for cmd, fs := range flagSets(t) {
		fs.VisitAll(func(f *flag.Flag) {
			name, _ := flag.UnquoteUsage(f)
			switch n := strings.Count(f.Usage, "`"); {
			case isBool(f) && n > 0:
				t.Errorf("mosaic %s --%s is a switch, but its usage backquotes %q, which --help shows as its argument: %q", cmd, f.Name, name, f.Usage)
			case !isBool(f) && (n != 2 || !argName.MatchString(name)):
				t.Errorf("mosaic %s --%s: its usage must backquote the argument's name once (like `PATH`), not %q: %q", cmd, f.Name, name, f.Usage)
			}
		})
	}
}

// synopsisFlag is a flag in a command's synopsis, with its argument if
// it has one.
var synopsisFlag = regexp.MustCompile(`(?:^|[\s\[(|])--?([a-z][a-z0-9-]*)(?:\s+([^\s\[\]()|]+(?:\|[^\s\[\]()|]+)*))?`)

// TestSynopsesNameEveryFlag: the top-level help's line for each command
// names every flag of its flag set, and no other, with the argument its
// --help shows (--format with the values it takes), so neither can drift
// from the other.
func TestSynopsesNameEveryFlag(t *testing.T) {
	sets := flagSets(t)
	for _, c := range commands() {
		fs := sets[c.name]
		named := map[string]bool{}
		for _, m := range synopsisFlag.FindAllStringSubmatch(c.args, -1) {
			flagName, arg := m[1], m[2]
			named[flagName] = true
			f := fs.Lookup(flagName)
			if f == nil {
				t.Errorf("mosaic %s's synopsis names --%s, which it does not have: %s", c.name, flagName, c.args)
				continue
			}
			want, usage := flag.UnquoteUsage(f)
			switch {
			case isBool(f) && arg != "":
				t.Errorf("mosaic %s's synopsis gives the switch --%s an argument %q", c.name, flagName, arg)
			case isBool(f):
			case want == "FORMAT":
				if values := strings.Split(arg, "|"); values[0] != f.DefValue || !slices.Equal(values, formatValues(usage)) {
					t.Errorf("mosaic %s's synopsis lists --format %s; its --help lists %v, the default %s first", c.name, arg, formatValues(usage), f.DefValue)
				}
			case arg != want:
				t.Errorf("mosaic %s's synopsis gives --%s the argument %q; its --help says %q", c.name, flagName, arg, want)
			}
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !named[f.Name] {
				t.Errorf("mosaic %s's synopsis does not name --%s: %s", c.name, f.Name, c.args)
			}
		})
	}
}

// formatValues lists the values a --format usage names: "output FORMAT:
// a, b or c (…)".
func formatValues(usage string) []string {
	_, list, _ := strings.Cut(usage, "FORMAT: ")
	list, _, _ = strings.Cut(list, " (")
	return strings.Split(strings.ReplaceAll(list, " or ", ", "), ", ")
}

// TestReadmeListsTheCommands: README's table of commands shows each
// command with the synopsis the top-level help shows.
func TestReadmeListsTheCommands(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for line := range strings.Lines(string(b)) {
		rest, ok := strings.CutPrefix(line, "| `mosaic ")
		if !ok {
			continue
		}
		synopsis, _, _ := strings.Cut(rest, "` |")
		synopsis = strings.ReplaceAll(synopsis, `\|`, "|")
		name, args, _ := strings.Cut(synopsis, " ")
		rows[name] = args
	}
	for _, c := range commands() {
		got, ok := rows[c.name]
		switch {
		case !ok:
			t.Errorf("README's table of commands has no row for mosaic %s", c.name)
		case got != c.args:
			t.Errorf("README's row for mosaic %s reads\n  %s\nthe help reads\n  %s", c.name, got, c.args)
		}
		delete(rows, c.name)
	}
	for name := range rows {
		t.Errorf("README's table of commands lists mosaic %s, which does not exist", name)
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	_, out, _ := mosaic(t, "help")
	for _, c := range commands() {
		if !strings.Contains(out, strings.TrimSpace("mosaic "+padded(c.name)+" "+c.args)+"\n") {
			t.Errorf("the help lacks mosaic %s %s:\n%s", c.name, c.args, out)
		}
	}
}

func padded(name string) string { return name + strings.Repeat(" ", max(0, 8-len(name))) }

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errOut := mosaic(t, args...)
		if code != ExitOK || !strings.HasPrefix(out, "mosaic ") || !regexp.MustCompile(`\n  DuckDB v\d+\.\d+\.\d+ \(source id \w+\)\n$`).MatchString(out) {
			t.Errorf("mosaic %s: code %d\n%s%s", args[0], code, out, errOut)
		}
	}
	if code, _, _ := mosaic(t, "version", "extra"); code != ExitUsage {
		t.Errorf("mosaic version extra: code %d, want %d", code, ExitUsage)
	}
	var b strings.Builder
	printVersion(&b, &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-06-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}, "v1.5.0", "abc")
	want := "mosaic v1.2.3\n  commit 0123abcd of 2026-06-01T10:00:00Z, with uncommitted changes\n  built with go1.26.0\n  DuckDB v1.5.0 (source id abc)\n"
	if b.String() != want {
		t.Errorf("printVersion:\n%s\nwant\n%s", b.String(), want)
	}
}
