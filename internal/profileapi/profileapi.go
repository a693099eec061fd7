// Package profileapi is the Profile API of `mosaic serve`, in the shape
// of mParticle's: a profile by MPID (an alias answers with its
// survivor), or resolved by an immutable identity, with its identities,
// user attributes (calculated ones among them) and audience memberships.
// Clients get a bearer token from POST /oauth/token first (Tokens).
//
// A profile is one row of the documents that runs keep (package
// profiledocs), read by its key through the store's reading connections:
// they see the last committed run while a run writes. The documents last
// read are kept in memory (CacheSize of them) until a run that changes
// them commits (Handler.Forget, or Handler.Invalidate for all).
package profileapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Fields are the parts of a profile a request may ask for with ?fields=
// (comma-separated); without it, the answer holds them all.
var Fields = []string{"user_identities", "device_identities", "user_attributes", "audience_memberships"}

// Handler serves the Profile API. Build it with New.
type Handler struct {
	tokens       *Tokens
	identity     config.Identity
	resolveTypes []string
	log          *slog.Logger
	doc          *sql.Stmt // by MPID
	alias        *sql.Stmt // an alias's survivor
	key          *sql.Stmt // the MPID a TYPE:VALUE resolves to
	cache        *docCache
}

// New prepares the handler's statements on db (the store's reading
// connections). resolve lists the identity types a profile may be
// resolved by, spelled as stored; log may be nil.
func New(ctx context.Context, db *sql.DB, tokens *Tokens, identity config.Identity, resolve []string, log *slog.Logger) (*Handler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{tokens: tokens, identity: identity, resolveTypes: resolve, log: log, cache: newDocCache(CacheSize)}
	for _, s := range []struct {
		dst  **sql.Stmt
		file string
	}{{&h.doc, "profileapi/doc.sql"}, {&h.alias, "profileapi/alias.sql"}, {&h.key, "profileapi/key.sql"}} {
		st, err := db.PrepareContext(ctx, sqlfiles.Get(s.file))
		if err != nil {
			return nil, fmt.Errorf("profile api: %s: %w", s.file, err)
		}
		*s.dst = st
	}
	return h, nil
}

// Register adds the API's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /oauth/token", h.tokens.ServeToken)
	byMPID := h.Authorized(h.byMPID)
	mux.HandleFunc("GET /userprofile/v1/{org}/{account}/{workspace}/{mpid}", byMPID)
	mux.HandleFunc("POST /userprofile/v1/{org}/{account}/{workspace}/{mpid}", byMPID)
	mux.HandleFunc("POST /userprofile/v1/resolve/{org}/{account}/{workspace}", h.Authorized(h.resolve))
}

// Authorized lets through requests with a live bearer token and answers
// the others 401.
func (h *Handler) Authorized(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.tokens.Valid(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mosaic profile api"`)
			problem(w, http.StatusUnauthorized, "UNAUTHORIZED", "send a bearer token from POST /oauth/token (it may have expired)")
			return
		}
		next(w, r)
	}
}

func (h *Handler) byMPID(w http.ResponseWriter, r *http.Request) {
	fields, ok := parseFields(w, r)
	if !ok {
		return
	}
	mpid, err := strconv.ParseInt(r.PathValue("mpid"), 10, 64)
	if err != nil {
		problem(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("mpid %q is not a 64-bit integer", r.PathValue("mpid")))
		return
	}
	doc, err := h.document(r.Context(), mpid)
	if errors.Is(err, sql.ErrNoRows) {
		var survivor int64
		if err = h.alias.QueryRowContext(r.Context(), mpid).Scan(&survivor); err == nil {
			doc, err = h.document(r.Context(), survivor)
		}
	}
	h.answer(w, doc, fields, err, fmt.Sprintf("no profile has mpid %d", mpid))
}

// Invalidate drops the documents kept in memory. Call it, or Forget, as
// each run commits (pipeline.Runner.Committed): answers then come from
// that run.
func (h *Handler) Invalidate() { h.cache.invalidate(nil) }

// Forget drops the documents kept of the given MPIDs, those a run wrote
// or deleted as it committed; the others are still the store's.
func (h *Handler) Forget(mpids []int64) { h.cache.invalidate(mpids) }

// CacheReads counts the reads of a document answered from memory (hits)
// and from the store (misses).
func (h *Handler) CacheReads() (hits, misses uint64) {
	return h.cache.hits.Load(), h.cache.misses.Load()
}

func (h *Handler) document(ctx context.Context, mpid int64) ([]byte, error) {
	doc, gen, ok := h.cache.get(mpid)
	if ok {
		return doc, nil
	}
	if err := h.doc.QueryRowContext(ctx, mpid).Scan(&doc); err != nil {
		return nil, err
	}
	h.cache.put(mpid, doc, gen)
	return doc, nil
}

// resolveRequest is the body of a resolve request.
type resolveRequest struct {
	EnvironmentType string `json:"environment_type"`
	Identity        struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"identity"`
}

func (h *Handler) resolve(w http.ResponseWriter, r *http.Request) {
	fields, ok := parseFields(w, r)
	if !ok {
		return
	}
	var req resolveRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		problem(w, http.StatusBadRequest, "BAD_REQUEST", `the body must be {"environment_type": "production", "identity": {"type": "customer_id", "value": "..."}}: `+err.Error())
		return
	}
	typ, known := config.CanonicalIdentityType(req.Identity.Type)
	if !known || !slices.Contains(h.resolveTypes, typ) {
		problem(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("identity.type %q cannot resolve a profile: use one of %s (serve.profile_api.resolve)", req.Identity.Type, strings.Join(h.resolveTypes, ", ")))
		return
	}
	value := h.identity.Normalize(typ, req.Identity.Value)
	if value == "" {
		problem(w, http.StatusBadRequest, "BAD_REQUEST", "identity.value is empty")
		return
	}
	var mpid int64
	err := h.key.QueryRowContext(r.Context(), typ+":"+value).Scan(&mpid)
	var doc []byte
	if err == nil {
		doc, err = h.document(r.Context(), mpid)
	}
	h.answer(w, doc, fields, err, fmt.Sprintf("no profile holds %s %q", req.Identity.Type, value))
}

// profile is an answer; parts not asked for stay out.
type profile struct {
	MPID                int64           `json:"mpid"`
	Created             int64           `json:"created_timestamp_ms"`
	Stored              int64           `json:"last_stored_timestamp_ms"`
	IsOptedOut          bool            `json:"is_opted_out"`
	DeviceIdentities    json.RawMessage `json:"device_identities,omitempty"`
	UserIdentities      json.RawMessage `json:"user_identities,omitempty"`
	UserAttributes      json.RawMessage `json:"user_attributes,omitempty"`
	AudienceMemberships json.RawMessage `json:"audience_memberships,omitempty"`
}

// answer writes a document, with only the fields asked for.
func (h *Handler) answer(w http.ResponseWriter, doc []byte, fields map[string]bool, err error, missing string) {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		problem(w, http.StatusNotFound, "NOT_FOUND", missing)
		return
	case err != nil:
		h.log.Error("profile api: reading a profile failed", "err", err)
		problem(w, http.StatusInternalServerError, "INTERNAL", "reading the profile failed; the server's log says why")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if len(fields) == len(Fields) {
		w.Write(doc) // kept in the cache: never appended to
		w.Write([]byte{'\n'})
		return
	}
	var p profile
	if err := json.Unmarshal(doc, &p); err != nil {
		h.log.Error("profile api: a stored document is not JSON", "err", err)
		problem(w, http.StatusInternalServerError, "INTERNAL", "reading the profile failed; the server's log says why")
		return
	}
	for f, dst := range map[string]*json.RawMessage{"user_identities": &p.UserIdentities, "device_identities": &p.DeviceIdentities,
		"user_attributes": &p.UserAttributes, "audience_memberships": &p.AudienceMemberships} {
		if !fields[f] {
			*dst = nil
		}
	}
	json.NewEncoder(w).Encode(p)
}

// parseFields reads ?fields=; it answers 400 itself for an unknown field.
func parseFields(w http.ResponseWriter, r *http.Request) (map[string]bool, bool) {
	out := map[string]bool{}
	q := r.URL.Query().Get("fields")
	if q == "" {
		for _, f := range Fields {
			out[f] = true
		}
		return out, true
	}
	for f := range strings.SplitSeq(q, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(Fields, f) {
			problem(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("unknown field %q: ask for any of %s", f, strings.Join(Fields, ",")))
			return nil, false
		}
		out[f] = true
	}
	return out, true
}

func problem(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}
