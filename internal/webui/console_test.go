package webui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestConsole(t *testing.T) {
	c := loggedIn(t)
	run := func(q string) (int, string) {
		t.Helper()
		resp, body := c.post("/ui/sql", url.Values{"q": {q}}, c.fx.srv.URL)
		return resp.StatusCode, body
	}
	resp, body := c.get("/ui/sql")
	listed := regexp.MustCompile(`Views: (.*?)\. Table functions`).FindStringSubmatch(body)
	want := "<code>audience_history</code>, <code>audience_members</code>, <code>dropped_rows</code>, <code>events</code>, <code>forgotten</code>, " +
		"<code>output_failures</code>, <code>output_records</code>, <code>output_runs</code>, <code>profile_aliases</code>, " +
		"<code>profile_attributes</code>, <code>profile_identities</code>, <code>profile_merge_refusals</code>, <code>profile_merges</code>, <code>profiles</code>, <code>record_profiles</code>, <code>runs</code>"
	if resp.StatusCode != http.StatusOK || listed == nil || listed[1] != want {
		t.Errorf("GET /ui/sql: %d, lists the views %v, want\n%s", resp.StatusCode, listed, want)
	}
	code, body := run("SELECT identity_value FROM profile_identities WHERE identity_type = 'email' ORDER BY 1")
	if code != http.StatusOK || !strings.Contains(body, "<td>ada@example.com</td>") || !strings.Contains(body, "<th>identity_value</th>") {
		t.Errorf("a SELECT: %d\n%s", code, body)
	}
	code, body = run("SELECT NULL AS nothing, [1, 2] AS list, {'a': 1} AS s")
	if code != http.StatusOK || !strings.Contains(body, `<td class="muted">NULL</td>`) || !strings.Contains(body, "<td>[1,2]</td>") {
		t.Errorf("NULL and lists: %d", code)
	}
	for q, msg := range map[string]string{
		"SELECT * FROM read_csv('/etc/passwd')": "the table function read_csv is not allowed here",
		"SELECT * FROM _mosaic.identity_dict":   "_mosaic.identity_dict is not a public view",
		"SELECT * FROM 'crm.csv'":               "crm.csv is not a public view",
		"COPY runs TO 'x.csv'":                  "only a SELECT runs here",
		"SELECT 1; SELECT 2":                    "one statement at a time",
		"SELECT * FROM _arrow_1":                "_arrow_1 is not a public view",
	} {
		code, body := run(q)
		if code != http.StatusBadRequest || !strings.Contains(body, `id="refused"`) || !strings.Contains(body, msg) || strings.Contains(body, `id="result"`) {
			t.Errorf("%s: %d, want refused saying %q", q, code, msg)
		}
	}
	code, body = run("SELECT * FROM range(5000)")
	if code != http.StatusOK || strings.Count(body, "<tr><td>") != consoleRows || !strings.Contains(body, "More rows not shown") {
		t.Errorf("5,000 rows: %d, %d shown, want %d and a note", code, strings.Count(body, "<tr><td>"), consoleRows)
	}
	code, body = run("SELECT no_such_column FROM profiles")
	if code != http.StatusBadRequest || !strings.Contains(body, "no_such_column") {
		t.Errorf("a failing query: %d", code)
	}
}

func TestConsoleTimeout(t *testing.T) {
	c := loggedIn(t)
	c.fx.h.queryTimeout = 300 * time.Millisecond
	defer func() { c.fx.h.queryTimeout = 0 }()
	start := time.Now()
	resp, body := c.post("/ui/sql", url.Values{"q": {"SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b"}}, c.fx.srv.URL)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the query was stopped after %s, want about 300ms", took)
	}
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "The query was stopped after 300ms") {
		t.Errorf("a long query: %d, want it stopped", resp.StatusCode)
	}
}
