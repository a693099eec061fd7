// Package remote lets the read commands (`mosaic sql`, `runs`, `profile`,
// …) query a store that `mosaic serve` holds: DuckDB lets one process
// open a store file, so they ask the server instead. The server writes a
// token into a file next to the store that only its user can read
// (WriteToken) and answers POST /v1/query (Handler); a command finds the
// server's address in the store's lock file and opens a database/sql
// handle whose queries go there (Open). Statements are checked as
// `mosaic sql` checks them: reading ones only.
package remote

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// TokenPath is the file beside the store at state that holds the token.
func TokenPath(state string) string { return state + ".serve-token" }

// WriteToken writes a fresh token for the store at state, readable by its
// user only, and returns it with a function that removes the file.
func WriteToken(state string) (string, func(), error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	path := TokenPath(state)
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", nil, fmt.Errorf("write the read commands' token: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil { // an older file keeps its mode otherwise
		return "", nil, fmt.Errorf("write the read commands' token: %w", err)
	}
	return token, func() { os.Remove(path) }, nil
}

// request is the body of POST /v1/query.
type request struct {
	SQL  string `json:"sql"`
	Args []any  `json:"args"`
}

// Column is one column of an answer: its name and DuckDB type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type answer struct {
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Error   string   `json:"error,omitempty"`
	// Refused tells that the statement was not a reading one.
	Refused bool `json:"refused,omitempty"`
}

// Handler answers POST /v1/query for holders of Token with the rows of
// one reading statement, read through DB (the store as last committed).
type Handler struct {
	DB    *sql.DB
	Token string
	// Timeout bounds a query (default 5 minutes).
	Timeout time.Duration
}

// Register adds the route to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/query", h.serve)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(token), []byte(h.Token)) != 1 {
		reply(w, http.StatusUnauthorized, answer{Error: "send the token of the store's .serve-token file"})
		return
	}
	var req request
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		reply(w, http.StatusBadRequest, answer{Error: "the body must be {\"sql\": ..., \"args\": [...]}: " + err.Error()})
		return
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	ans, status, err := h.query(ctx, req)
	if err != nil {
		reply(w, status, answer{Error: err.Error(), Refused: errors.Is(err, engine.ErrWriteRefused)})
		return
	}
	reply(w, http.StatusOK, ans)
}

func (h *Handler) query(ctx context.Context, req request) (answer, int, error) {
	conn, err := h.DB.Conn(ctx)
	if err != nil {
		return answer{}, http.StatusServiceUnavailable, err
	}
	defer conn.Close()
	if err := engine.CheckReadOnly(ctx, conn, req.SQL); err != nil {
		return answer{}, http.StatusBadRequest, err
	}
	rows, err := conn.QueryContext(ctx, req.SQL, args(req.Args)...)
	if err != nil {
		return answer{}, http.StatusBadRequest, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return answer{}, http.StatusInternalServerError, err
	}
	ans := answer{Columns: make([]Column, len(types)), Rows: [][]any{}}
	for i, t := range types {
		ans.Columns[i] = Column{Name: t.Name(), Type: t.DatabaseTypeName()}
	}
	for rows.Next() {
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return answer{}, http.StatusInternalServerError, err
		}
		for i, v := range vals {
			vals[i] = wire(v)
		}
		ans.Rows = append(ans.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return answer{}, http.StatusBadRequest, err
	}
	return ans, http.StatusOK, nil
}

// args turns JSON arguments into what DuckDB binds: whole numbers as
// int64, lists of strings as []string.
func args(in []any) []any {
	out := make([]any, len(in))
	for i, a := range in {
		switch v := a.(type) {
		case json.Number:
			if n, err := v.Int64(); err == nil {
				out[i] = n
			} else {
				out[i], _ = v.Float64()
			}
		case []any:
			strs := make([]string, 0, len(v))
			for _, s := range v {
				if str, ok := s.(string); ok {
					strs = append(strs, str)
				}
			}
			if len(strs) == len(v) {
				out[i] = strs
			} else {
				out[i] = v
			}
		default:
			out[i] = a
		}
	}
	return out
}

// wire turns a scanned DuckDB value into JSON that Open's rows read back.
func wire(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case *big.Int:
		return json.Number(x.String())
	case duckdb.Decimal:
		return x.Float64()
	case duckdb.UUID:
		return x.String()
	}
	return v
}

func reply(w http.ResponseWriter, status int, a answer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(a)
}
