package engine

import (
	"context"
	"log/slog"
)

// OpenMemory opens an empty in-memory store at the current schema, without
// a lock and writing nothing to disk: for checking queries (prepare,
// EXPLAIN) against the store's tables and views at validation time.
func OpenMemory(ctx context.Context, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{path: ":memory:", log: log, chunk: DefaultBatchChunk}
	if err := s.open(ctx, false, DefaultMemoryLimit); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
