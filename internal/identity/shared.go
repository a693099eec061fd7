package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/internal/config"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// SharedCount is how many shared values a run's stats name.
const SharedCount = 10

// Shared is an identity value identity.max_shared kept from linking: the
// records of the store that carry it, over its type's limit.
type Shared struct {
	Type    string `json:"identity_type"`
	Value   string `json:"identity_value"`
	Records int64  `json:"records"`
	Limit   int64  `json:"max_shared"`
}

// unlinkShared takes the run's identity values carried by more records
// than identity.max_shared allows out of _id_groups, so that they link
// nothing, and records them in dropped_rows (sql/identity/shared.sql). It
// returns how many there are and the SharedCount most shared.
func unlinkShared(ctx context.Context, db DB, p *config.Pipeline, runID int64) (int64, []Shared, error) {
	types, limits := p.MaxShared()
	if len(types) == 0 {
		return 0, nil, nil
	}
	stmts, err := sqlfiles.File("identity/shared.sql", nil)
	if err != nil {
		return 0, nil, err
	}
	for _, s := range stmts {
		var args []any
		switch s.Name {
		case "shared":
			args = []any{types, limits}
		case "record":
			args = []any{runID}
		}
		if _, err := db.ExecStatement(ctx, s, args...); err != nil {
			return 0, nil, fmt.Errorf("identity: max_shared: %w", err)
		}
	}
	var n int64
	var top []Shared
	err = db.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
		typ, val := rec.Column(0).(*array.String), rec.Column(1).(*array.String)
		records, limit := ints(rec, 2), ints(rec, 3)
		for i := range records {
			top = append(top, Shared{Type: strings.Clone(typ.Value(i)), Value: strings.Clone(val.Value(i)), Records: records[i], Limit: limit[i]})
		}
		n = ints(rec, 4)[0]
		return nil
	}, sqlfiles.Get("identity/shared_top.sql"), SharedCount)
	if err != nil {
		return 0, nil, fmt.Errorf("identity: max_shared: %w", err)
	}
	return n, top, nil
}
