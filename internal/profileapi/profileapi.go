// Package profileapi is the Profile API of `mosaic serve`, in the shape
// of mParticle's: a profile by MPID (an alias answers with its
// survivor), or resolved by an immutable identity, with its identities,
// user attributes (calculated ones among them) and audience memberships.
// Clients get a bearer token from POST /oauth/token first (Tokens).
//
// Reads go through the store's reading connections, so they see the last
// committed run while a run writes.
package profileapi

import (
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
// (comma-separated); without it, the answer holds them all. The order is
// that of sql/profileapi/profile.sql's columns.
var Fields = []string{"user_identities", "device_identities", "user_attributes", "audience_memberships"}

// Handler serves the Profile API. Set every field but Log.
type Handler struct {
	DB       *sql.DB
	Tokens   *Tokens
	Identity config.Identity
	// Resolve lists the identity types a profile may be resolved by,
	// spelled as stored.
	Resolve []string
	Log     *slog.Logger
}

// Register adds the API's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /oauth/token", h.Tokens.ServeToken)
	byMPID := h.Authorized(h.byMPID)
	mux.HandleFunc("GET /userprofile/v1/{org}/{account}/{workspace}/{mpid}", byMPID)
	mux.HandleFunc("POST /userprofile/v1/{org}/{account}/{workspace}/{mpid}", byMPID)
	mux.HandleFunc("POST /userprofile/v1/resolve/{org}/{account}/{workspace}", h.Authorized(h.resolve))
}

// Authorized lets through requests with a live bearer token and answers
// the others 401.
func (h *Handler) Authorized(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.Tokens.Valid(r) {
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
	var target int64
	err = h.DB.QueryRowContext(r.Context(), sqlfiles.Get("profiles/by_mpid.sql"), mpid).Scan(&target)
	h.answer(w, r, target, fields, err, fmt.Sprintf("no profile has mpid %d", mpid))
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
	if !known || !slices.Contains(h.Resolve, typ) {
		problem(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("identity.type %q cannot resolve a profile: use one of %s (serve.profile_api.resolve)", req.Identity.Type, strings.Join(h.Resolve, ", ")))
		return
	}
	value := h.Identity.Normalize(typ, req.Identity.Value)
	if value == "" {
		problem(w, http.StatusBadRequest, "BAD_REQUEST", "identity.value is empty")
		return
	}
	var target int64
	err := h.DB.QueryRowContext(r.Context(), sqlfiles.Get("profiles/by_identity.sql"), typ, value).Scan(&target)
	h.answer(w, r, target, fields, err, fmt.Sprintf("no profile holds %s %q", req.Identity.Type, value))
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

// deviceTypes are the identity types of devices (the others are users').
var deviceTypes = config.IdentityTypes[slices.Index(config.IdentityTypes, "ios_idfa"):]

func (h *Handler) answer(w http.ResponseWriter, r *http.Request, mpid int64, fields map[string]bool, err error, missing string) {
	var p profile
	var parts [4]string
	if err == nil {
		err = h.DB.QueryRowContext(r.Context(), sqlfiles.Get("profileapi/profile.sql"), mpid, deviceTypes).
			Scan(&p.MPID, &p.Created, &p.Stored, &parts[0], &parts[1], &parts[2], &parts[3])
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		problem(w, http.StatusNotFound, "NOT_FOUND", missing)
		return
	case err != nil:
		h.Log.Error("profile api: reading a profile failed", "mpid", mpid, "err", err)
		problem(w, http.StatusInternalServerError, "INTERNAL", "reading the profile failed; the server's log says why")
		return
	}
	dsts := []*json.RawMessage{&p.UserIdentities, &p.DeviceIdentities, &p.UserAttributes, &p.AudienceMemberships} // as Fields
	for i, f := range Fields {
		if fields[f] {
			*dsts[i] = json.RawMessage(parts[i])
		}
	}
	w.Header().Set("Content-Type", "application/json")
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
