package remote

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/engine"
)

// Server finds the server that holds the store at state: its address
// from the lock file and the token from the token file. ok is false when
// no server holds it (or the files cannot be read).
func Server(state string) (addr, token string, ok bool) {
	h, found := engine.LockHolder(state)
	if !found || h.Addr == "" {
		return "", "", false
	}
	b, err := os.ReadFile(TokenPath(state))
	if err != nil {
		return "", "", false
	}
	return h.Addr, strings.TrimSpace(string(b)), true
}

// Open returns a handle whose queries go to the server at addr. It reads
// only: Exec and transactions fail.
func Open(addr, token string) *sql.DB {
	return sql.OpenDB(connector{url: "http://" + addr + "/v1/query", token: token, client: &http.Client{}})
}

type connector struct {
	url, token string
	client     *http.Client
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return conn{c}, nil }
func (c connector) Driver() driver.Driver                        { return drv{} }

type drv struct{}

func (drv) Open(string) (driver.Conn, error) {
	return nil, errors.New("remote: open through remote.Open")
}

type conn struct{ c connector }

var errReadOnly = errors.New("remote: a store held by `mosaic serve` is read only here")

func (conn) Prepare(string) (driver.Stmt, error) { return nil, errReadOnly }
func (conn) Close() error                        { return nil }
func (conn) Begin() (driver.Tx, error)           { return nil, errReadOnly }

// QueryContext sends the query and its arguments and reads the answer.
func (cn conn) QueryContext(ctx context.Context, query string, named []driver.NamedValue) (driver.Rows, error) {
	req := request{SQL: query, Args: make([]any, len(named))}
	for i, a := range named {
		req.Args[i] = a.Value
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("remote: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, "POST", cn.c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Authorization", "Bearer "+cn.c.token)
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := cn.c.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("ask the server that holds the store (%s): %w", cn.c.url, err)
	}
	defer resp.Body.Close()
	var ans answer
	dec := json.NewDecoder(io.LimitReader(resp.Body, 1<<30))
	dec.UseNumber()
	if err := dec.Decode(&ans); err != nil {
		return nil, fmt.Errorf("the server's answer (HTTP %d): %w", resp.StatusCode, err)
	}
	switch {
	case ans.Refused:
		// The server's reason follows its own copy of ErrWriteRefused.
		why := strings.TrimPrefix(ans.Error, engine.ErrWriteRefused.Error())
		return nil, fmt.Errorf("%w%s (by the server that holds the store)", engine.ErrWriteRefused, why)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("the server that holds the store answered: %s", ans.Error)
	}
	return &rows{cols: ans.Columns, data: ans.Rows}, nil
}

type rows struct {
	cols []Column
	data [][]any
	next int
}

func (r *rows) Columns() []string {
	names := make([]string, len(r.cols))
	for i, c := range r.cols {
		names[i] = c.Name
	}
	return names
}

func (r *rows) Close() error { return nil }

// ColumnTypeDatabaseTypeName gives the DuckDB type, as DuckDB's driver.
func (r *rows) ColumnTypeDatabaseTypeName(i int) string { return r.cols[i].Type }

func (r *rows) Next(dest []driver.Value) error {
	if r.next >= len(r.data) {
		return io.EOF
	}
	row := r.data[r.next]
	r.next++
	for i := range dest {
		v, err := value(r.cols[i].Type, row[i])
		if err != nil {
			return fmt.Errorf("column %s: %w", r.cols[i].Name, err)
		}
		dest[i] = v
	}
	return nil
}

// value reads a JSON value back as the Go value DuckDB's driver gives
// for the column's type; lists, maps and structs come as their JSON text.
func value(typ string, v any) (driver.Value, error) {
	if v == nil {
		return nil, nil
	}
	switch n := v.(type) {
	case json.Number:
		if isInteger(typ) {
			return n.Int64()
		}
		return n.Float64()
	case string:
		if strings.HasPrefix(typ, "TIMESTAMP") || typ == "DATE" {
			return time.Parse(time.RFC3339Nano, n)
		}
		return n, nil
	case bool:
		return n, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func isInteger(typ string) bool {
	switch typ {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT":
		return true
	}
	return false
}

// CheckNamedValue takes every argument as it is (lists of strings too):
// the server binds them.
func (conn) CheckNamedValue(*driver.NamedValue) error { return nil }
