package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// profileJSON is the shape sql/cli/profile.sql returns.
type profileJSON struct {
	MPID       int64           `json:"mpid"`
	Requested  int64           `json:"requested_mpid,omitempty"`
	Created    string          `json:"created_at"`
	Updated    string          `json:"updated_at"`
	LastSeen   string          `json:"last_seen_at"`
	Identities json.RawMessage `json:"identities"`
	Attributes json.RawMessage `json:"attributes"`
	Aliases    json.RawMessage `json:"aliases"`
}

func runProfile(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "profile")
	sf := addStoreFlags(fs, "table", "json")
	mpid := fs.Int64("mpid", 0, "the profile's MPID, `N` (an alias MPID shows its survivor)")
	ident := fs.String("identity", "", "an identity the profile holds, `TYPE=VALUE`, e.g. email=ada@example.com")
	explainFlag := fs.Bool("explain", false, "show how the profile came to be: the row that added each identity, each merge and each join the rules refused")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 || (*mpid == 0) == (*ident == "") {
		fmt.Fprintln(e.stderr, "mosaic profile: give exactly one of --mpid N or --identity TYPE=VALUE")
		fs.Usage()
		return ExitUsage
	}
	s, code := sf.open(ctx, e, "profile")
	if s == nil {
		return code
	}
	defer s.Close()
	conn := s.Conn()
	var target int64
	var err error
	var canon, value string
	if *mpid != 0 {
		err = conn.QueryRowContext(ctx, sqlfiles.Get("profiles/by_mpid.sql"), *mpid).Scan(&target)
	} else {
		var rules config.Identity
		if *sf.pipeline != "" {
			p, err := config.Load(*sf.pipeline)
			if err != nil {
				fmt.Fprintln(e.stderr, err)
				return ExitUsage
			}
			rules = p.Identity
		}
		var ok bool
		if canon, value, ok = parseIdentity(e, "profile", *ident, rules); !ok {
			return ExitUsage
		}
		err = conn.QueryRowContext(ctx, sqlfiles.Get("profiles/by_identity.sql"), canon, value).Scan(&target)
	}
	var text string
	if err == nil {
		err = conn.QueryRowContext(ctx, sqlfiles.Get("cli/profile.sql"), target).Scan(&text)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if *mpid != 0 {
			fmt.Fprintf(e.stderr, "mosaic profile: no profile has MPID %d, nor is it an alias of one\n", *mpid)
			return ExitFailed
		}
		return notFound(ctx, e, s, storeArg(*sf.pipeline, *sf.state), canon, value)
	}
	if err == nil && *explainFlag {
		err = explain(ctx, e, s, target, *sf.format)
		if err == nil {
			return ExitOK
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic profile: %v\n", err)
		return ExitFailed
	}
	var p profileJSON
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		fmt.Fprintf(e.stderr, "mosaic profile: %v\n", err)
		return ExitFailed
	}
	if *mpid != 0 && *mpid != p.MPID {
		p.Requested = *mpid
	}
	if *sf.format == "json" {
		out, _ := json.MarshalIndent(p, "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return ExitOK
	}
	printProfile(e.stdout, p)
	return ExitOK
}

func printProfile(w io.Writer, p profileJSON) {
	fmt.Fprintf(w, "profile %d\n", p.MPID)
	if p.Requested != 0 {
		fmt.Fprintf(w, "  (%d is an alias of it: merged into it)\n", p.Requested)
	}
	fmt.Fprintf(w, "  created %s, updated %s, last seen %s\n\nidentities:\n", p.Created, p.Updated, p.LastSeen)
	var ids []map[string]any
	json.Unmarshal(p.Identities, &ids)
	cols := []string{"type", "value", "first_seen_at", "last_seen_at", "feed"}
	var rows [][]any
	for _, id := range ids {
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = id[c]
		}
		rows = append(rows, row)
	}
	write(w, "table", cols, rows)
	var attrs map[string]json.RawMessage
	json.Unmarshal(p.Attributes, &attrs)
	if len(attrs) > 0 {
		fmt.Fprintln(w, "\nattributes:")
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			fmt.Fprintf(w, "  %s = %s\n", k, attrs[k])
		}
	}
	var aliases []struct {
		MPID     json.Number `json:"mpid"`
		MergedAt string      `json:"merged_at"`
		RunID    int64       `json:"run_id"`
	}
	json.Unmarshal(p.Aliases, &aliases)
	if len(aliases) > 0 {
		fmt.Fprintln(w, "\naliases (merged into this profile):")
		for _, a := range aliases {
			fmt.Fprintf(w, "  %s merged %s in run %d\n", a.MPID, a.MergedAt, a.RunID)
		}
	}
}

// parseIdentity reads a TYPE=VALUE flag into a canonical type and a value
// normalised as staging normalises it under rules (trimmed; e-mail
// lower-cased unless the pipeline keeps it case-sensitive; given only a
// store, the default rules), or says what is wrong.
func parseIdentity(e env, cmd, flag string, rules config.Identity) (typ, value string, ok bool) {
	t, value, found := strings.Cut(flag, "=")
	typ, known := config.CanonicalIdentityType(strings.TrimSpace(t))
	if !found || !known {
		fmt.Fprintf(e.stderr, "mosaic %s: --identity %q: write TYPE=VALUE with a known type (customerid, email, …)\n", cmd, flag)
		return "", "", false
	}
	return typ, rules.Normalize(typ, value), true
}

// notFound says that no profile holds identity typ=value, and how to
// find it: the values of that type that differ from it only in case, or
// else a query for values that contain it. store is how hints name it.
func notFound(ctx context.Context, e env, s *storeReader, store, typ, value string) int {
	rows, err := s.Conn().QueryContext(ctx, sqlfiles.Get("cli/identity_case.sql"), typ, value)
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic profile: no profile has %s=%s, and the store could not be searched for others: %v\n", typ, value, err)
		return ExitFailed
	}
	defer rows.Close()
	var alike []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			fmt.Fprintf(e.stderr, "mosaic profile: %v\n", err)
			return ExitFailed
		}
		alike = append(alike, typ+"="+v)
	}
	if err := rows.Err(); err != nil {
		fmt.Fprintf(e.stderr, "mosaic profile: %v\n", err)
		return ExitFailed
	}
	if len(alike) > 0 {
		fmt.Fprintf(e.stderr, "mosaic profile: no profile has %s=%s; did you mean %s? (identity values match exactly as stored)\n", typ, value, orList(alike))
		return ExitFailed
	}
	like := "%" + strings.ReplaceAll(value, "'", "''") + "%"
	q := "SELECT mpid, identity_type, identity_value FROM profile_identities WHERE identity_value ILIKE '" + like + "'"
	fmt.Fprintf(e.stderr, "mosaic profile: no profile has %s=%s; identity values match exactly as stored (e-mails in lower case). Look for values that contain it with:\n  mosaic sql %s %s\n",
		typ, value, store, shellDoubleQuote(q))
	return ExitFailed
}
