package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/mosaic-cdp/mosaic/connectors"
)

var _ connectors.Checker = (*Source)(nil)

// cursorOIDs are the types a cursor can have: the engine orders cursors as
// integers or times, and PostgreSQL compares them the same way.
var cursorOIDs = []uint32{pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID}

// timestampOIDs are the types a timestamp column can have.
var timestampOIDs = append(slices.Clone(cursorOIDs), pgtype.TextOID, pgtype.VarcharOID)

// Check connects, describes the table or query, checks the mapped columns
// and counts the rows past the watermark. It reads no row.
func (s *Source) Check(ctx context.Context, req connectors.CheckRequest) (connectors.CheckResult, error) {
	res := connectors.CheckResult{Rows: -1}
	p, err := newPlan(req.ValidateRequest, req.Cursor)
	if err != nil {
		return res, err
	}
	conn, err := p.connect(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	fields, err := p.describe(ctx, conn)
	if err != nil {
		return res, p.ctxFirst(ctx, err)
	}
	types := pgtype.NewMap()
	byName := map[string]column{}
	var have []string
	for _, fd := range fields {
		byName[fd.Name] = columnFor(fd, types)
		have = append(have, fd.Name)
	}
	wanted := slices.Clone(req.Columns)
	for _, c := range []string{req.Cursor, req.Timestamp} {
		if c != "" && !slices.Contains(wanted, c) {
			wanted = append(wanted, c)
		}
	}
	slices.Sort(wanted)
	for _, name := range wanted {
		c, ok := byName[name]
		if !ok {
			res.Problems = append(res.Problems, fmt.Sprintf("feed %s: %s has no column %q (it has: %s); fix the feed's mapping or the source", p.feed, p.what, name, strings.Join(have, ", ")))
			continue
		}
		res.Columns = append(res.Columns, connectors.CheckColumn{Name: name, SourceType: c.PGType, Staged: c.Field.Type.String()})
		if name == req.Cursor && !slices.Contains(cursorOIDs, c.OID) {
			res.Problems = append(res.Problems, fmt.Sprintf("feed %s: the cursor column %q is %s; a cursor must be an integer, date or timestamp column (cast it in `query:`)", p.feed, name, c.PGType))
		}
		if name == req.Timestamp && !slices.Contains(timestampOIDs, c.OID) {
			res.Problems = append(res.Problems, fmt.Sprintf("feed %s: the timestamp column %q is %s; it must hold times: a timestamp, date, epoch integer or ISO 8601 text", p.feed, name, c.PGType))
		}
	}
	if len(res.Problems) > 0 {
		return res, nil // counting would fail on the same missing columns
	}
	if res.Rows, err = p.count(ctx, conn, req.Watermark); err != nil {
		return res, p.ctxFirst(ctx, err)
	}
	return res, nil
}

// count counts the rows past the watermark.
func (p *plan) count(ctx context.Context, conn *pgconn.PgConn, watermark string) (int64, error) {
	q, err := p.render("postgres/count.sql.tmpl", nil, watermark != "")
	if err != nil {
		return 0, err
	}
	var params [][]byte
	if watermark != "" && p.cursor != "" {
		params = [][]byte{[]byte(watermark)}
	}
	res := conn.ExecParams(ctx, q, params, nil, nil, nil).Read()
	if res.Err != nil {
		return 0, p.queryError(res.Err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return 0, fmt.Errorf("feed %s: counting rows returned no count", p.feed)
	}
	return strconv.ParseInt(string(res.Rows[0][0]), 10, 64)
}
