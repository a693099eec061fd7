package forget

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// forgetState deletes from the outputs' own state what derives from the
// profiles scope.sql gathered (sql/forget/state.sql).
func forgetState(ctx context.Context, tx *engine.Tx, stateKeys func(map[string][]string) (map[string][]string, error)) error {
	precise, outs, keys := []string{}, []string{}, []string{}
	if stateKeys != nil {
		identities := map[string][]string{}
		err := tx.ScanArrow(ctx, func(rec arrow.RecordBatch) error {
			typ, value := rec.Column(0).(*array.String), rec.Column(1).(*array.String)
			for i := range typ.Len() {
				t := strings.Clone(typ.Value(i))
				identities[t] = append(identities[t], strings.Clone(value.Value(i)))
			}
			return nil
		}, sqlfiles.Get("forget/identities.sql"))
		if err != nil {
			return fmt.Errorf("forget/identities.sql: %w", err)
		}
		byOutput, err := stateKeys(identities)
		if err != nil {
			return err
		}
		for o, ks := range byOutput {
			precise = append(precise, o)
			for _, k := range ks {
				outs, keys = append(outs, o), append(keys, k)
			}
		}
	}
	if _, err := tx.Exec(ctx, sqlfiles.Get("forget/state.sql"), precise, outs, keys); err != nil {
		return fmt.Errorf("forget/state.sql: %w", err)
	}
	return nil
}
