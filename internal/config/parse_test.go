package config_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// asJSON shows a value in failure messages without pointer addresses.
func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func days(n int) config.Duration { return config.Duration(time.Duration(n) * 24 * time.Hour) }

func parseFile(t *testing.T, name, as string) *config.Pipeline {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := config.Parse(as, src)
	if err != nil {
		t.Fatalf("Parse(%s):\n%v", name, err)
	}
	return p
}

// TestParseDesignExample parses the example of docs/pipeline.md (without its
// outputs) and checks what it decodes to.
func TestParseDesignExample(t *testing.T) {
	p := parseFile(t, "retail.yaml", "dir/p.yaml")

	if p.Version != 1 || p.Name != "retail" || p.Schedule != "CRON_TZ=UTC 0 * * * *" {
		t.Errorf("version, name, schedule = %d, %q, %q", p.Version, p.Name, p.Schedule)
	}
	if p.File != "dir/p.yaml" || p.Dir != "dir" {
		t.Errorf("File, Dir = %q, %q; want dir/p.yaml, dir", p.File, p.Dir)
	}
	if want := filepath.Join("dir", "mosaic.duckdb"); p.State != want {
		t.Errorf("State = %q, want %q (resolved against the file's folder)", p.State, want)
	}
	if want := (config.Retention{Events: days(90), Profiles: days(730)}); p.Retention != want {
		t.Errorf("Retention = %v, want %v", p.Retention, want)
	}
	wantIdentity := config.Identity{
		Priority:  []string{"customerid", "email", "mobile_number", "other", "ios_idfa", "android_uuid"},
		Unique:    []string{"customerid"},
		Limits:    map[string]int{"email": 5},
		Blocklist: map[string][]string{"email": {"^test@", "noreply@"}, "*": {"^0+$", "^null$", "^anonymous$"}},
	}
	if !reflect.DeepEqual(p.Identity, wantIdentity) {
		t.Errorf("Identity =\n%s\nwant\n%s", asJSON(p.Identity), asJSON(wantIdentity))
	}

	if len(p.Feeds) != 2 {
		t.Fatalf("%d feeds, want 2", len(p.Feeds))
	}
	web, crm := p.Feeds[0], p.Feeds[1]
	if web.Name != "web_events" || web.Source.Kind != "files" || web.SourceType != "sdk" || web.Protection != config.CreateUpdate {
		t.Errorf("feeds[0] = %q, kind %q, %q, %q", web.Name, web.Source.Kind, web.SourceType, web.Protection)
	}
	if got := web.Source.Raw.Path(); got != "feeds[0].source" {
		t.Errorf("feeds[0].source Raw.Path() = %q", got)
	}
	if crm.Name != "crm" || crm.Source.Kind != "bigquery" || crm.SourceType != "warehouse" || crm.Protection != config.OnlyUpdate ||
		crm.Cursor != "updated_at" || crm.Timestamp != "updated_at" || crm.MPID != "" {
		t.Errorf("feeds[1] = %s", asJSON(crm))
	}
	if want := map[string]string{"customer_id": "customerid", "email_address": "email"}; !reflect.DeepEqual(crm.Identities, want) {
		t.Errorf("feeds[1].identities = %v, want %v", crm.Identities, want)
	}
	if want := map[string]string{"tier": "tier", "ltv": "lifetime_value"}; !reflect.DeepEqual(crm.Attributes, want) {
		t.Errorf("feeds[1].attributes = %v, want %v", crm.Attributes, want)
	}

	wantCalc := []config.Calculated{
		{Name: "orders_30d", Calculation: "count", Event: "purchase", Within: days(30)},
		{Name: "spend_90d", Calculation: "sum", Event: "purchase", Attribute: "amount", Within: days(90)},
	}
	if !reflect.DeepEqual(p.CalculatedAttributes, wantCalc) {
		t.Errorf("CalculatedAttributes =\n%s\nwant\n%s", asJSON(p.CalculatedAttributes), asJSON(wantCalc))
	}

	one := 1.0
	wantAudiences := []config.Audience{{
		Name: "lapsed_vip",
		Criteria: config.Criterion{All: []config.Criterion{
			{Attribute: &config.Predicate{Key: "tier", Op: "eq", Value: "gold"}},
			{Not: &config.Criterion{Event: &config.EventPredicate{Name: "purchase", Within: days(60), Count: &config.Comparison{Gte: &one}}}},
		}},
	}}
	if !reflect.DeepEqual(p.Audiences, wantAudiences) {
		t.Errorf("Audiences =\n%s\nwant\n%s", asJSON(p.Audiences), asJSON(wantAudiences))
	}
	if len(p.Outputs) != 0 {
		t.Errorf("Outputs = %s, want none", asJSON(p.Outputs))
	}

	// Positions: a value that is in the file, and one that is not.
	if got, want := p.Pos("feeds[1].cursor"), (config.Position{File: "dir/p.yaml", Line: 21, Col: 13}); got != want {
		t.Errorf("Pos(feeds[1].cursor) = %v, want %v", got, want)
	}
	if got, want := p.Pos("feeds[0].cursor"), (config.Position{File: "dir/p.yaml"}); got != want {
		t.Errorf("Pos(feeds[0].cursor) = %v, want %v", got, want)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join("testdata", "retail.yaml")
	p, err := config.Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if p.File != path || p.State != filepath.Join("testdata", "mosaic.duckdb") {
		t.Errorf("File, State = %q, %q", p.File, p.State)
	}

	_, err = config.Load(filepath.Join("testdata", "no-such-file.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
	if errors.Is(err, config.ErrInvalid) {
		t.Errorf("Load of a missing file: %v matches ErrInvalid, want only a read error", err)
	}
}

func TestParseDefaults(t *testing.T) {
	const head = "version: 1\nname: shop\n"
	const feed = "feeds:\n  - { name: f, source: { kind: files }, source_type: csv, identities: { cust: customer_id, mail: email } }\n"
	for _, tc := range []struct {
		name, path, src, wantState string
	}{
		{"no state", "dir/p.yaml", head + feed, filepath.Join("dir", "shop.duckdb")},
		{"no state, file in the working folder", "p.yaml", head + feed, "shop.duckdb"},
		{"relative state", "dir/p.yaml", head + "state: ./x.duckdb\n" + feed, filepath.Join("dir", "x.duckdb")},
		{"relative state in a subfolder", "dir/p.yaml", head + "state: data/x.duckdb\n" + feed, filepath.Join("dir", "data", "x.duckdb")},
		{"absolute state", "dir/p.yaml", head + "state: /var/lib/mosaic/x.duckdb\n" + feed, "/var/lib/mosaic/x.duckdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := config.Parse(tc.path, []byte(tc.src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.State != tc.wantState {
				t.Errorf("State = %q, want %q", p.State, tc.wantState)
			}
			if got := p.Feeds[0].Protection; got != config.CreateUpdate {
				t.Errorf("Protection = %q, want %q", got, config.CreateUpdate)
			}
			if want := map[string]string{"cust": "customerid", "mail": "email"}; !reflect.DeepEqual(p.Feeds[0].Identities, want) {
				t.Errorf("Identities = %v, want %v", p.Feeds[0].Identities, want)
			}
		})
	}
}

func TestIdentityOrder(t *testing.T) {
	const feed = "feeds:\n  - { name: f, source: { kind: files }, source_type: sdk, mpid: id }\n"
	for _, tc := range []struct {
		name, identity string
		wantFirst      []string
	}{
		{"no priority", "", []string{"customerid", "email", "other", "other_id_2"}},
		{"priority", "identity: { priority: [email, ios_idfa, customerid] }\n", []string{"email", "ios_idfa", "customerid", "other", "other_id_2"}},
		{"priority spelled customer_id", "identity: { priority: [email, customer_id] }\n", []string{"email", "customerid", "other", "other_id_2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := config.Parse("p.yaml", []byte("version: 1\nname: p\n"+tc.identity+feed))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			order := p.IdentityOrder()
			if !slices.Equal(order[:len(tc.wantFirst)], tc.wantFirst) {
				t.Errorf("IdentityOrder() starts %v, want %v", order[:len(tc.wantFirst)], tc.wantFirst)
			}
			// Every known type exactly once, the rest in IdentityTypes order.
			sorted := slices.Clone(order)
			slices.Sort(sorted)
			want := slices.Clone(config.IdentityTypes)
			slices.Sort(want)
			if !slices.Equal(sorted, want) {
				t.Errorf("IdentityOrder() = %v, want each of IdentityTypes once", order)
			}
			rest := slices.DeleteFunc(slices.Clone(config.IdentityTypes), func(s string) bool { return slices.Contains(tc.wantFirst, s) })
			if got := order[len(order)-len(rest):]; !slices.Equal(got, rest) {
				t.Errorf("IdentityOrder() ends %v, want %v", got, rest)
			}
		})
	}
}

// TestParseManyErrors: every problem is reported at once, sorted by
// position, whatever order validation finds them in.
func TestParseManyErrors(t *testing.T) {
	src := `version: 1
audiences:
  - { name: a, criteria: { attribute: { key: tier, op: eqq, value: gold } } }
  - name: b
    criteria: { audience: nobody }
feeds:
  - { name: f, source: { kind: files }, source_type: sdk, protection: never, mpid: id }
  - name: f
    source: { path: x }
    source_type: warehouse
identity:
  priority: [email, emial]
  limits: { email: 0 }
`
	want := []string{
		`p.yaml:1:1: name: name is required`,
		`p.yaml:3:56: audiences[0].criteria.attribute.op: unknown operator "eqq", did you mean "eq"?`,
		`p.yaml:5:27: audiences[1].criteria.audience: unknown audience "nobody" (expected one of: a, b)`,
		`p.yaml:7:71: feeds[0].protection: unknown protection level "never" (expected one of: create_update, only_update, only_read)`,
		`p.yaml:8:5: feeds[1]: feed "f" maps no identity column: add ` + "`identities: {column: type}` or `mpid: column`",
		`p.yaml:8:11: feeds[1].name: duplicate feed name "f": names must be unique`,
		`p.yaml:9:13: feeds[1].source: source.kind is required (files, bigquery, postgres, events_api)`,
		`p.yaml:12:21: identity.priority[1]: unknown identity type "emial", did you mean "email"?`,
		`p.yaml:13:20: identity.limits.email: limit must be at least 1, got 0`,
	}
	_, err := config.Parse("p.yaml", []byte(src))
	var errs config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse error %v (%T), want config.Errors", err, err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s\nwhere got points:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), pointAt("p.yaml", src, strings.Join(got, "\n")))
	}
	if !errors.Is(err, config.ErrInvalid) {
		t.Errorf("errors.Is(err, ErrInvalid) = false")
	}
}

// TestParseManyDecodeErrors: problems found while decoding (unknown keys,
// wrong types) are all reported too, sorted by position.
func TestParseManyDecodeErrors(t *testing.T) {
	src := `version: 1
name: p
retention: { events: 90 days, profile: 730d }
identity:
  limits: { email: five }
feeds:
  - name: f
    source: { kind: files }
    sourcetype: sdk
`
	want := "p.yaml:3:22: retention.events: bad duration \"90 days\": write a whole number and one unit of w, d, h, m or s, like 90d or 12h\n" +
		"p.yaml:3:31: unknown key \"profile\", did you mean \"profiles\"?\n" +
		"p.yaml:5:20: identity.limits.email: expected an integer, got a string\n" +
		"p.yaml:9:5: unknown key \"sourcetype\", did you mean \"source_type\"?"
	_, err := config.Parse("p.yaml", []byte(src))
	if err == nil || err.Error() != want {
		t.Errorf("Parse error\n got: %v\nwant: %s", err, want)
	}
}

func TestErrInvalid(t *testing.T) {
	e := &config.Error{Pos: config.Position{File: "p.yaml", Line: 3, Col: 7}, Msg: "name: bad"}
	if got := e.Error(); got != "p.yaml:3:7: name: bad" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&config.Error{Pos: config.Position{File: "p.yaml"}, Msg: "m"}).Error(); got != "p.yaml: m" {
		t.Errorf("Error() without a line = %q", got)
	}
	for _, err := range []error{e, config.Errors{e}, config.Errors{e, e}} {
		if !errors.Is(err, config.ErrInvalid) {
			t.Errorf("errors.Is(%T, ErrInvalid) = false", err)
		}
	}
	_, err := config.Parse("p.yaml", []byte("version: [1\n"))
	if !errors.Is(err, config.ErrInvalid) {
		t.Errorf("YAML syntax error %v: errors.Is(err, ErrInvalid) = false", err)
	}
}
