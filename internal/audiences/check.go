package audiences

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Check prepares every audience's compiled statements, and first each `sql:`
// criterion on its own, against an empty in-memory store at the current
// schema: a query that would change the store, does not parse, or returns
// no mpid column is refused with its position. It returns config.Errors.
func Check(ctx context.Context, p *config.Pipeline) error {
	if len(p.Audiences) == 0 {
		return nil
	}
	s, err := engine.OpenMemory(ctx, nil)
	if err != nil {
		return fmt.Errorf("check audiences: %w", err)
	}
	defer s.Close()
	var errs config.Errors
	for i := range p.Audiences {
		Walk(fmt.Sprintf("audiences[%d].criteria", i), &p.Audiences[i].Criteria, func(path string, c *config.Criterion) {
			if c.SQL == "" {
				return
			}
			if err := checkUserQuery(ctx, s, c.SQL); err != nil {
				errs = append(errs, &config.Error{Pos: p.Pos(path + ".sql"), Msg: path + ".sql: " + err.Error()})
			}
		})
	}
	if len(errs) > 0 {
		return errs
	}
	for i := range p.Audiences {
		if err := checkAudience(ctx, s, p, i); err != nil {
			path := fmt.Sprintf("audiences[%d].criteria", i)
			errs = append(errs, &config.Error{Pos: p.Pos(path), Msg: fmt.Sprintf("%s: the compiled query does not prepare: %s (see `mosaic validate --explain`)", path, firstLine(err))})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkAudience prepares the statements that evaluate audience i of p on
// its own: its leaves, then (on an empty table of those leaves) its
// members. Nothing is evaluated.
func checkAudience(ctx context.Context, s *engine.Store, p *config.Pipeline, i int) error {
	lv, err := compileLevel(p, []int{i})
	if err != nil {
		return err
	}
	if err := prepare(ctx, s, lv.Leaves); err != nil {
		return err
	}
	empty, err := sqlfiles.Render("audiences/leaves_empty.sql.tmpl", map[string]any{"Words": make([]int, lv.words)})
	if err != nil {
		return err
	}
	if _, err := s.Conn().ExecContext(ctx, empty); err != nil {
		return err
	}
	return prepare(ctx, s, lv.Members)
}

// checkUserQuery refuses a `sql:` query that would write, or that is not
// one SELECT with a column mpid (embedded as a subquery, anything else
// fails to parse: that is the real guard, CheckReadOnly the friendly one).
func checkUserQuery(ctx context.Context, s *engine.Store, q string) error {
	bare := s.CheckReadOnly(ctx, UserQuery(q))
	if errors.Is(bare, engine.ErrWriteRefused) {
		return errors.New("the query may only read: write one SELECT returning a column mpid")
	}
	leaf, err := sqlfiles.Render("audiences/query.sql.tmpl", map[string]string{"Query": UserQuery(q)})
	if err != nil {
		return err
	}
	if err := prepare(ctx, s, leaf); err != nil {
		if bare != nil { // the query's own error says more
			err = bare
		}
		return fmt.Errorf("the query must be one SELECT returning a column mpid: %s", firstLine(err))
	}
	return nil
}

func prepare(ctx context.Context, s *engine.Store, q string) error {
	st, err := s.Conn().PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	return st.Close()
}

// firstLine is an error's first line (DuckDB adds the query and a caret).
func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// Walk calls f on c and every criterion under it, with its path in the
// pipeline file (path is c's own, e.g. "audiences[0].criteria").
func Walk(path string, c *config.Criterion, f func(string, *config.Criterion)) {
	f(path, c)
	for i := range c.All {
		Walk(fmt.Sprintf("%s.all[%d]", path, i), &c.All[i], f)
	}
	for i := range c.Any {
		Walk(fmt.Sprintf("%s.any[%d]", path, i), &c.Any[i], f)
	}
	if c.Not != nil {
		Walk(path+".not", c.Not, f)
	}
}
