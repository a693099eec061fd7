package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// rowRef is a feed row as sql/cli/explain.sql names it; MPID is the
// profile the row resolved to then (nil: none).
type rowRef struct {
	RunID     int64   `json:"run_id"`
	Feed      string  `json:"feed"`
	Origin    *string `json:"origin"`
	RowPos    int64   `json:"row_pos"`
	RequestID *string `json:"source_request_id"`
	At        string  `json:"at"`
	MPID      *int64  `json:"mpid"`
}

func (r *rowRef) String() string {
	if r == nil {
		return "a row no longer kept"
	}
	s, pos := r.Feed, strconv.FormatInt(r.RowPos, 10)
	switch {
	case r.Origin != nil && strings.HasSuffix(*r.Origin, ":"+pos): // file:line
		s += " " + *r.Origin
	case r.Origin != nil:
		s += " " + *r.Origin + " row " + pos
	default:
		s += " row " + pos
	}
	if r.RequestID != nil {
		s += " (batch " + *r.RequestID + ")"
	}
	return fmt.Sprintf("%s (run %d, %s)", s, r.RunID, r.At)
}

// elsewhere returns the profile the row resolved to when it is not mpid
// (an alias of it since).
func (r *rowRef) elsewhere(mpid int64) (int64, bool) {
	if r == nil || r.MPID == nil || *r.MPID == mpid {
		return 0, false
	}
	return *r.MPID, true
}

// explanation is the shape sql/cli/explain.sql returns.
type explanation struct {
	MPID       int64 `json:"mpid"`
	Identities []struct {
		Type  string  `json:"type"`
		Value string  `json:"value"`
		Row   *rowRef `json:"row"`
	} `json:"identities"`
	Merges []struct {
		MPID          int64   `json:"mpid"`
		IdentityType  *string `json:"identity_type"`
		IdentityValue *string `json:"identity_value"`
		RunID         int64   `json:"run_id"`
		Row           *rowRef `json:"row"`
	} `json:"merges"`
	Refusals []struct {
		// MPID is the other profile: the one the row went to when RowHere
		// is false (nil: the row was dropped), else the one kept out.
		MPID          *int64  `json:"mpid"`
		RowHere       bool    `json:"row_here"`
		Rows          int64   `json:"rows"` // rows of the run that met the refusal; Row is the first
		IdentityType  *string `json:"identity_type"`
		IdentityValue *string `json:"identity_value"`
		Rule          string  `json:"rule"`
		RuleType      string  `json:"rule_type"`
		Row           *rowRef `json:"row"`
	} `json:"refusals"`
	Dropped []struct {
		Type   string  `json:"type"`
		Value  string  `json:"value"`
		Reason string  `json:"reason"`
		Row    *rowRef `json:"row"`
	} `json:"dropped"`
}

func readExplanation(ctx context.Context, s *storeReader, mpid int64) (explanation, error) {
	var text string
	var x explanation
	if err := s.Conn().QueryRowContext(ctx, sqlfiles.Get("cli/explain.sql"), mpid).Scan(&text); err != nil {
		return x, fmt.Errorf("sql/cli/explain.sql: %w", err)
	}
	err := json.Unmarshal([]byte(text), &x)
	return x, err
}

func identityName(typ, value *string) string {
	if typ == nil || value == nil {
		return "its mpid"
	}
	return *typ + "=" + *value
}

func ruleText(rule, typ string) string {
	if rule == "unique_conflict" {
		return fmt.Sprintf("they hold different %s values and %s is unique (unique_conflict)", typ, typ)
	}
	return fmt.Sprintf("together they would hold more %s values than its limit (identity_limit)", typ)
}

func printExplanation(w io.Writer, x explanation) {
	fmt.Fprintf(w, "how profile %d came to be\n\nidentities, each with the row that added it:\n", x.MPID)
	for _, id := range x.Identities {
		fmt.Fprintf(w, "  %s=%s: %s", id.Type, id.Value, id.Row)
		if m, ok := id.Row.elsewhere(x.MPID); ok {
			fmt.Fprintf(w, ", into %d, merged into this one since", m)
		}
		fmt.Fprintln(w)
	}
	if len(x.Merges) > 0 {
		fmt.Fprintln(w, "\nmerges, each with the row whose identity linked the merged profile to it:")
		for _, m := range x.Merges {
			fmt.Fprintf(w, "  %d, through %s: %s", m.MPID, identityName(m.IdentityType, m.IdentityValue), m.Row)
			if into, ok := m.Row.elsewhere(x.MPID); ok {
				fmt.Fprintf(w, ", into %d then", into)
			}
			fmt.Fprintln(w)
		}
	}
	if len(x.Refusals) > 0 {
		fmt.Fprintln(w, "\nkept apart: joins the identity rules refused:")
		for _, r := range x.Refusals {
			via := identityName(r.IdentityType, r.IdentityValue)
			if r.Rows > 1 {
				via += fmt.Sprintf(" (and %d more rows of the run)", r.Rows-1)
			}
			switch {
			case r.RowHere:
				fmt.Fprintf(w, "  %d: %s linked the two through %s, but %s\n", *r.MPID, r.Row, via, ruleText(r.Rule, r.RuleType))
			case r.MPID == nil:
				fmt.Fprintf(w, "  a dropped row: %s matched this profile through %s, but %s\n", r.Row, via, ruleText(r.Rule, r.RuleType))
			default:
				fmt.Fprintf(w, "  %d: %s, applied to that profile, linked the two through %s, but %s\n", *r.MPID, r.Row, via, ruleText(r.Rule, r.RuleType))
			}
		}
	}
	if len(x.Dropped) > 0 {
		fmt.Fprintln(w, "\nidentities its rows carried that a rule kept out:")
		for _, d := range x.Dropped {
			fmt.Fprintf(w, "  %s=%s: %s (%s)\n", d.Type, d.Value, d.Row, d.Reason)
		}
	}
}

// graph is an explanation as nodes (profiles and identities) and edges
// (the rows that linked them), for --explain --format json.
type graph struct {
	MPID  int64       `json:"mpid"`
	Nodes []graphNode `json:"nodes"`
	Edges []graphEdge `json:"edges"`
}

type graphNode struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"` // profile or identity
	MPID  int64  `json:"mpid,omitempty"`
	Type  string `json:"type,omitempty"`
	Value string `json:"value,omitempty"`
	// Role of a profile: survivor (the one explained), alias (merged into
	// it) or apart (kept apart from it).
	Role string `json:"role,omitempty"`
}

// graphEdge is one link: added (a row added identity To to profile From),
// merged (profile From merged into To, the survivor or a profile merged
// into it later, through identity Via), refused (the
// rules kept From and To apart) or dropped (a rule kept identity To out
// of profile From).
type graphEdge struct {
	Kind   string  `json:"kind"`
	From   string  `json:"from"`
	To     string  `json:"to,omitempty"` // empty: a refused row that was dropped
	Via    string  `json:"via,omitempty"`
	Rule   string  `json:"rule,omitempty"`
	Type   string  `json:"rule_type,omitempty"`
	RunID  int64   `json:"run_id,omitempty"`
	Row    *rowRef `json:"row"`
	Rows   int64   `json:"rows,omitempty"` // refused: rows of the run that met it; Row is the first
	Reason string  `json:"reason,omitempty"`
}

func toGraph(x explanation) graph {
	g := graph{MPID: x.MPID}
	seen := map[string]bool{}
	profile := func(mpid int64, role string) string {
		id := "profile:" + strconv.FormatInt(mpid, 10)
		if !seen[id] {
			seen[id] = true
			g.Nodes = append(g.Nodes, graphNode{ID: id, Kind: "profile", MPID: mpid, Role: role})
		}
		return id
	}
	identity := func(typ, value string) string {
		id := "identity:" + typ + "=" + value
		if !seen[id] {
			seen[id] = true
			g.Nodes = append(g.Nodes, graphNode{ID: id, Kind: "identity", Type: typ, Value: value})
		}
		return id
	}
	via := func(typ, value *string) string {
		if typ == nil || value == nil {
			return ""
		}
		return identity(*typ, *value)
	}
	self := profile(x.MPID, "survivor")
	for _, m := range x.Merges {
		profile(m.MPID, "alias")
	}
	rowProfile := func(r *rowRef) string {
		if m, ok := r.elsewhere(x.MPID); ok {
			return profile(m, "alias")
		}
		return self
	}
	for _, id := range x.Identities {
		g.Edges = append(g.Edges, graphEdge{Kind: "added", From: rowProfile(id.Row), To: identity(id.Type, id.Value), Row: id.Row})
	}
	for _, m := range x.Merges {
		g.Edges = append(g.Edges, graphEdge{Kind: "merged", From: profile(m.MPID, "alias"), To: rowProfile(m.Row), Via: via(m.IdentityType, m.IdentityValue), RunID: m.RunID, Row: m.Row})
	}
	for _, r := range x.Refusals {
		e := graphEdge{Kind: "refused", From: self, Via: via(r.IdentityType, r.IdentityValue), Rule: r.Rule, Type: r.RuleType, Row: r.Row, Rows: r.Rows}
		if r.MPID != nil {
			e.To = profile(*r.MPID, "apart")
		}
		g.Edges = append(g.Edges, e)
	}
	for _, d := range x.Dropped {
		g.Edges = append(g.Edges, graphEdge{Kind: "dropped", From: rowProfile(d.Row), To: identity(d.Type, d.Value), Row: d.Row, Reason: d.Reason})
	}
	return g
}

// explain writes how profile mpid came to be, as text or as a graph.
func explain(ctx context.Context, e env, s *storeReader, mpid int64, format string) error {
	x, err := readExplanation(ctx, s, mpid)
	if err != nil {
		return err
	}
	if format == "json" {
		out, _ := json.MarshalIndent(toGraph(x), "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return nil
	}
	printExplanation(e.stdout, x)
	return nil
}
