// Package forget erases a data subject's profile on request (`mosaic
// forget`), in one transaction: the profile and every MPID merged into it,
// their identities, attributes, calculated values, events, audience
// entries and aliases, the staged rows that resolved to them or carry one
// of their identities, the dropped rows and runs' shared-value stats that
// name, as an identity, one of their identities or a value those rows
// carried that is no one else's, the dropped rows that name one of the
// MPIDs as an MPID, and their entries among the runs' largest profiles.
// Other profiles are not touched (a value shared with others keeps its
// stats without the erased rows), and no full refresh is needed.
//
// When no profile holds the identity or MPID asked for, what names it
// elsewhere goes all the same, by the same statements: the rows staged
// carrying it that resolved to no profile, the dropped rows and runs'
// stats entries that name it, and with Block the value is blocked. The
// request is audited with no profile erased; only when nothing named it at
// all is it ErrNotFound.
//
// Every output that holds a record of the profile owes its removal: the
// next sync sends it whatever the output's mode (a webhook says op
// "forget"), and the request's audit row in the public view forgotten
// records when each output confirmed it. That row holds no personal data:
// the identity (or MPID) asked for is kept as a hash salted with the
// store's own salt. With Block, the profile's identities and MPIDs are
// kept the same way and a later row carrying one is dropped
// (forgotten_identity) before identity resolution instead of making a
// profile again.
package forget

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	sqlfiles "github.com/mosaic-cdp/mosaic/sql"
)

// Request names the profile to forget: by MPID (an alias finds its
// survivor) or by an identity (the profile that holds it, as matching
// picks a holder).
type Request struct {
	MPID         int64
	IdentityType string // canonical; empty when MPID is set
	Identity     string // normalised as staging does
	Reason       string
	Block        bool
	// IdentityFields names the fields of a dropped row that hold an
	// identity (the func IdentityFields): a dropped row goes that names
	// one of the profile's values in one. Without them, any field counts
	// but the engine's own (a position, a line, a count).
	IdentityFields []string
	// MPIDFields names the fields of a dropped row that hold an MPID (the
	// func MPIDFields): a dropped row goes that names one of the erased
	// MPIDs in one, or as a raw batch's top-level mpid. Without them, the
	// field "mpid" alone.
	MPIDFields []string
	// StateKeys, when set, names what to delete of the outputs' own state
	// (connectors.OutputState) for the erased profiles' identities (type
	// to values): per output, the keys (connectors.StateForgetter). An
	// output it leaves out has its state emptied; without StateKeys every
	// output's is.
	StateKeys func(identities map[string][]string) (map[string][]string, error)
	// Record, when set, runs in the request's transaction just before it
	// commits, with the result: what it writes commits with the erasure or
	// not at all (mosaic serve records an erasure request's outcome so).
	// An error rolls the erasure back.
	Record func(ctx context.Context, tx *engine.Tx, res Result) error
}

// Result is a done request.
type Result struct {
	ForgetID int64
	MPID     int64 // the survivor erased; 0 when no profile held it
	Profiles int64 // it and the MPIDs merged into it
	Outputs  int64 // outputs that owe a removal
	Rows     int64 // staged rows erased that resolved to no profile or to it
	Dropped  int64 // dropped rows erased
	Stats    int64 // runs' stats lists rewritten (shared, largest)
}

// ErrNotFound is matched by errors.Is when no profile matches the request
// and nothing else names what it asks for.
var ErrNotFound = errors.New("no such profile")

// Forget erases the profile req names, in one transaction.
func Forget(ctx context.Context, store *engine.Store, req Request) (Result, error) {
	var res Result
	tx, err := store.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx)
	mpid, typ, value := req.MPID, "mpid", strconv.FormatInt(req.MPID, 10)
	notFound := fmt.Errorf("%w has MPID %d", ErrNotFound, mpid)
	// scope is the profile scope.sql gathers (NULL: none); unheld the
	// identity rows.sql takes for theirs when no profile holds it.
	var scope any = mpid
	unheld := []any{nil, nil}
	if req.IdentityType != "" {
		typ, value = req.IdentityType, req.Identity
		notFound = fmt.Errorf("%w holds %s %q", ErrNotFound, req.IdentityType, req.Identity)
		err := tx.QueryRow(ctx, sqlfiles.Get("profiles/by_identity.sql"), req.IdentityType, req.Identity).Scan(&mpid)
		if errors.Is(err, sql.ErrNoRows) {
			scope, unheld = nil, []any{typ, value}
		} else if err != nil {
			return res, fmt.Errorf("profiles/by_identity.sql: %w", err)
		}
	}
	if scope != nil {
		err := tx.QueryRow(ctx, sqlfiles.Get("forget/profile.sql"), mpid).Scan(&res.MPID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return res, fmt.Errorf("forget/profile.sql: %w", err)
		}
		if err == nil {
			scope = res.MPID
		}
	}
	if err := tx.QueryRow(ctx, sqlfiles.Get("forget/next_id.sql")).Scan(&res.ForgetID); err != nil {
		return res, fmt.Errorf("forget/next_id.sql: %w", err)
	}
	// The request's subject, "type:value", hashed as blocked identities are.
	var hash string
	if err := tx.QueryRow(ctx, sqlfiles.Get("forget/hash.sql"), typ, value).Scan(&hash); err != nil {
		return res, fmt.Errorf("forget/hash.sql: %w", err)
	}
	// What a killed sync acknowledged counts as held: fold it first, so
	// that its records of the profile are owed a removal too.
	var unfolded string
	if err := tx.QueryRow(ctx, sqlfiles.Get("forget/unfolded.sql")).Scan(&unfolded); err != nil {
		return res, fmt.Errorf("forget/unfolded.sql: %w", err)
	}
	for _, o := range strings.Fields(unfolded) {
		if err := tx.ExecFile(ctx, "outputs/fold.sql", nil, o); err != nil {
			return res, err
		}
	}
	if err := tx.ExecFile(ctx, "forget/scope.sql", nil, scope); err != nil {
		return res, err
	}
	if res.MPID != 0 {
		if err := tx.QueryRow(ctx, sqlfiles.Get("forget/count.sql")).Scan(&res.Profiles); err != nil {
			return res, fmt.Errorf("forget/count.sql: %w", err)
		}
	}
	// The staged rows and identity values to erase, gathered before the
	// outputs' failures and state go (keys.sql) as they name rows too.
	n, err := execCounting(ctx, tx, "forget/rows.sql", func(s sqlfiles.Statement) []any {
		if s.Name == "values" {
			return unheld
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Rows = n["rows"]
	// keys.sql: the candidate keys, the failures and the pending
	// deliveries go by the profiles and their rows; the keys owed and the
	// outputs owing name the request.
	stmts, err := sqlfiles.File("forget/keys.sql", nil)
	if err != nil {
		return res, err
	}
	for _, s := range stmts {
		var args []any
		if s.Name == "keys" || s.Name == "outputs" {
			args = []any{res.ForgetID}
		}
		if _, err := tx.ExecStatement(ctx, s, args...); err != nil {
			return res, err
		}
	}
	// The outputs' state derives from profiles: without one, none of it
	// goes.
	if res.MPID != 0 {
		if err := forgetState(ctx, tx, req.StateKeys); err != nil {
			return res, err
		}
	}
	// The dropped rows and runs' stats before erase.sql: shared.sql reads
	// the staged rows it deletes.
	for _, f := range []string{"forget/spelled.sql", "forget/stats.sql"} {
		if err := tx.ExecFile(ctx, f, nil); err != nil {
			return res, err
		}
	}
	dropped, err := tx.Exec(ctx, sqlfiles.Get("forget/dropped.sql"), fieldsArg(req.IdentityFields), fieldsArg(req.MPIDFields))
	if err != nil {
		return res, fmt.Errorf("forget/dropped.sql: %w", err)
	}
	shared, err := execCounting(ctx, tx, "forget/shared.sql", nil)
	if err != nil {
		return res, err
	}
	largest, err := tx.Exec(ctx, sqlfiles.Get("forget/largest.sql"))
	if err != nil {
		return res, fmt.Errorf("forget/largest.sql: %w", err)
	}
	res.Dropped, res.Stats = dropped+shared["drops_gone"], shared["stats"]+largest
	if res.MPID == 0 && res.Rows == 0 && res.Dropped == 0 && res.Stats == 0 && shared["drops_kept"] == 0 {
		return res, notFound
	}
	if err := tx.ExecFile(ctx, "forget/erase.sql", nil); err != nil {
		return res, err
	}
	if req.Block {
		// The types first: they tell a store that blocked before they
		// were kept by its blocked identities alone.
		if err := tx.ExecFile(ctx, "forget/block_types.sql", nil, config.IdentityTypes); err != nil {
			return res, err
		}
		if err := tx.ExecFile(ctx, "forget/block.sql", nil, res.ForgetID); err != nil {
			return res, err
		}
	}
	var reason any
	if req.Reason != "" {
		reason = req.Reason
	}
	if _, err := tx.Exec(ctx, sqlfiles.Get("forget/request.sql"), res.ForgetID, reason, hash, res.Profiles, req.Block); err != nil {
		return res, fmt.Errorf("forget/request.sql: %w", err)
	}
	if err := tx.QueryRow(ctx, sqlfiles.Get("forget/owed.sql"), res.ForgetID).Scan(&res.Outputs); err != nil {
		return res, fmt.Errorf("forget/owed.sql: %w", err)
	}
	if req.Record != nil {
		if err := req.Record(ctx, tx, res); err != nil {
			return res, err
		}
	}
	return res, tx.Commit(ctx)
}

// execCounting runs every statement of the SQL file at name, each with
// args(statement) (none when args is nil), and returns the rows each
// named statement changed.
func execCounting(ctx context.Context, tx *engine.Tx, name string, args func(sqlfiles.Statement) []any) (map[string]int64, error) {
	stmts, err := sqlfiles.File(name, nil)
	if err != nil {
		return nil, err
	}
	n := map[string]int64{}
	for _, s := range stmts {
		var a []any
		if args != nil {
			a = args(s)
		}
		if n[s.Name], err = tx.ExecStatement(ctx, s, a...); err != nil {
			return nil, err
		}
	}
	return n, nil
}
