package webui

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

type searchPage struct {
	Types   []string
	Type    string
	Value   string
	MPID    string
	Message string
}

// search is the home page: a profile by an identity or an MPID.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := searchPage{Types: h.identityTypes(), Type: q.Get("type"), Value: q.Get("value"), MPID: strings.TrimSpace(q.Get("mpid"))}
	if p.Type == "" && len(p.Types) > 0 {
		p.Type = p.Types[0]
	}
	switch {
	case p.MPID != "":
		mpid, err := strconv.ParseInt(p.MPID, 10, 64)
		if err != nil {
			p.Message = fmt.Sprintf("%q is not an MPID: MPIDs are whole numbers.", p.MPID)
			break
		}
		survivor, found, err := h.survivor(r, mpid)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if found {
			http.Redirect(w, r, fmt.Sprintf("/ui/profiles/%d", survivor), http.StatusSeeOther)
			return
		}
		p.Message = fmt.Sprintf("No profile has the MPID %d.", mpid)
	case strings.TrimSpace(p.Value) != "":
		typ, ok := config.CanonicalIdentityType(p.Type)
		if !ok {
			p.Message = fmt.Sprintf("%q is not an identity type.", p.Type)
			break
		}
		value := h.Pipeline.Identity.Normalize(typ, p.Value)
		var mpid int64
		err := h.DB.QueryRowContext(r.Context(), sqlfiles.Get("profiles/by_identity.sql"), typ, value).Scan(&mpid)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			p.Message = fmt.Sprintf("No profile has the identity %s = %q.", typ, value)
		case err != nil:
			h.fail(w, r, fmt.Errorf("find %s %q: %w", typ, value, err))
			return
		default:
			http.Redirect(w, r, fmt.Sprintf("/ui/profiles/%d", mpid), http.StatusSeeOther)
			return
		}
	}
	status := http.StatusOK
	if p.Message != "" {
		status = http.StatusNotFound
	}
	h.page(w, r, status, "search", "Find a profile", p)
}

// identityTypes lists the identity types, the pipeline's priority first.
func (h *Handler) identityTypes() []string {
	if h.Pipeline == nil {
		return config.IdentityTypes
	}
	return h.Pipeline.IdentityOrder()
}

// survivor returns the profile an MPID names (itself, or the survivor of
// an alias) and whether that profile exists.
func (h *Handler) survivor(r *http.Request, mpid int64) (int64, bool, error) {
	var survivor int64
	if err := h.DB.QueryRowContext(r.Context(), sqlfiles.Get("profiles/by_mpid.sql"), mpid).Scan(&survivor); err != nil {
		return 0, false, fmt.Errorf("resolve MPID %d: %w", mpid, err)
	}
	var created time.Time
	var updated, seen sql.NullTime
	err := h.DB.QueryRowContext(r.Context(), stmt("webui/profile.sql", "profile"), survivor).Scan(&created, &updated, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return survivor, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read profile %d: %w", survivor, err)
	}
	return survivor, true, nil
}

type profilePage struct {
	MPID                       int64
	Created, Updated, LastSeen time.Time
	Identities                 []identityRow
	Attributes                 []attributeRow
	Audiences                  []membershipRow
	Aliases                    []aliasRow
	Events                     []eventRow
	Calculated                 bool
}

type identityRow struct {
	Type, Value, Feed string
	First, Last       time.Time
}

type attributeRow struct {
	Key, Value, Source, Feed string
	Updated                  time.Time
	Calculated               bool
}

type membershipRow struct {
	Audience string
	Entered  time.Time
}

type aliasRow struct {
	MPID   int64
	Merged time.Time
	Run    int64
}

type eventRow struct {
	At                     time.Time
	Name, Type, Feed, Attr string
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request) {
	mpid, err := strconv.ParseInt(r.PathValue("mpid"), 10, 64)
	if err != nil {
		h.notFound(w, r, fmt.Sprintf("%q is not an MPID: MPIDs are whole numbers.", r.PathValue("mpid")))
		return
	}
	survivor, found, err := h.survivor(r, mpid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !found {
		h.notFound(w, r, fmt.Sprintf("No profile has the MPID %d.", mpid))
		return
	}
	if survivor != mpid {
		http.Redirect(w, r, fmt.Sprintf("/ui/profiles/%d", survivor), http.StatusFound)
		return
	}
	p, err := h.readProfile(r, mpid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, "profile", fmt.Sprintf("Profile %d", mpid), p)
}

func (h *Handler) readProfile(r *http.Request, mpid int64) (*profilePage, error) {
	ctx := r.Context()
	p := &profilePage{MPID: mpid}
	var updated, seen sql.NullTime
	if err := h.DB.QueryRowContext(ctx, stmt("webui/profile.sql", "profile"), mpid).Scan(&p.Created, &updated, &seen); err != nil {
		return nil, fmt.Errorf("read profile %d: %w", mpid, err)
	}
	p.Updated, p.LastSeen = updated.Time, seen.Time
	err := each(h.DB.QueryContext(ctx, stmt("webui/profile.sql", "identities"), mpid))(func(rows *sql.Rows) error {
		var i identityRow
		var feed sql.NullString
		err := rows.Scan(&i.Type, &i.Value, &i.First, &i.Last, &feed)
		i.Feed = feed.String
		p.Identities = append(p.Identities, i)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the identities of %d: %w", mpid, err)
	}
	err = each(h.DB.QueryContext(ctx, stmt("webui/profile.sql", "attributes"), mpid))(func(rows *sql.Rows) error {
		var a attributeRow
		var value, source, feed sql.NullString
		var updated sql.NullTime
		err := rows.Scan(&a.Key, &value, &source, &feed, &updated, &a.Calculated)
		a.Value, a.Source, a.Feed, a.Updated = nullText(value), source.String, feed.String, updated.Time
		p.Calculated = p.Calculated || a.Calculated
		p.Attributes = append(p.Attributes, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the attributes of %d: %w", mpid, err)
	}
	err = each(h.DB.QueryContext(ctx, stmt("webui/profile.sql", "audiences"), mpid))(func(rows *sql.Rows) error {
		var m membershipRow
		err := rows.Scan(&m.Audience, &m.Entered)
		p.Audiences = append(p.Audiences, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the audiences of %d: %w", mpid, err)
	}
	err = each(h.DB.QueryContext(ctx, stmt("webui/profile.sql", "aliases"), mpid))(func(rows *sql.Rows) error {
		var a aliasRow
		err := rows.Scan(&a.MPID, &a.Merged, &a.Run)
		p.Aliases = append(p.Aliases, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the aliases of %d: %w", mpid, err)
	}
	err = each(h.DB.QueryContext(ctx, stmt("webui/profile.sql", "events"), mpid))(func(rows *sql.Rows) error {
		var e eventRow
		var name, typ, feed, attr sql.NullString
		err := rows.Scan(&e.At, &name, &typ, &feed, &attr)
		e.Name, e.Type, e.Feed, e.Attr = name.String, typ.String, feed.String, attr.String
		if e.Attr == "{}" || e.Attr == "null" {
			e.Attr = ""
		}
		p.Events = append(p.Events, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the events of %d: %w", mpid, err)
	}
	slices.SortStableFunc(p.Attributes, func(a, b attributeRow) int {
		if a.Calculated != b.Calculated {
			if a.Calculated {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Key, b.Key)
	})
	return p, nil
}

// each calls fn for every row of a query's result, then closes it.
func each(rows *sql.Rows, err error) func(fn func(*sql.Rows) error) error {
	return func(fn func(*sql.Rows) error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

func nullText(s sql.NullString) string {
	if !s.Valid {
		return "null"
	}
	return s.String
}
