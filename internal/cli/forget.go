package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/engine"
	"github.com/mosaic-cdp/mosaic/internal/forget"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

// runForget erases one data subject's profile (see package forget).
func runForget(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "forget")
	pipe := fs.String("p", "", "the pipeline file (`PIPELINE.yaml`) whose store holds the profile")
	state := fs.String("state", "", "the profile store at `PATH` (a .duckdb file), when no pipeline file is given")
	mpid := fs.Int64("mpid", 0, "the profile's MPID, `N` (an alias finds its survivor)")
	ident := fs.String("identity", "", "an identity the profile holds, `TYPE=VALUE`, e.g. email=ada@example.com")
	reason := fs.String("reason", "", "why, as `TEXT` for the audit row in the forgotten view (no personal data)")
	block := fs.Bool("block", false, "also keep the profile's identities and MPIDs from making a profile again: later rows carrying one are dropped (forgotten_identity)")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 || (*mpid == 0) == (*ident == "") || (*pipe == "") == (*state == "") {
		fmt.Fprintln(e.stderr, "mosaic forget: give -p PIPELINE.yaml (or --state PATH) and exactly one of --mpid N or --identity TYPE=VALUE")
		fs.Usage()
		return ExitUsage
	}
	var req forget.Request
	path := *state
	var p *config.Pipeline
	var rules config.Identity
	if *pipe != "" {
		var code int
		p, code = loadPipeline(e, *pipe)
		if p == nil {
			return code
		}
		path = p.State
		req = forget.ForPipeline(p, builtin.Registry())
		rules = p.Identity
	}
	var typ, value string
	if *ident != "" {
		if typ, value, ok = parseIdentity(e, "forget", *ident, rules); !ok {
			return ExitUsage
		}
	}
	req.MPID, req.IdentityType, req.Identity, req.Reason, req.Block = *mpid, typ, value, *reason, *block
	store, err := engine.Open(ctx, path, engine.Options{Command: "mosaic forget"})
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic forget: %v\n", err)
		if h, ok := engine.LockHolder(path); ok && h.Addr != "" && errors.Is(err, engine.ErrLocked) {
			// The server takes erasure requests with the Profile API.
			fmt.Fprintf(e.stderr, "While it serves, send the erasure to it instead (with a Profile API token): POST http://%s/opendsr/v3/requests (see docs/serve.md)\n", h.Addr)
		}
		return ExitFailed
	}
	defer store.Close()
	if p != nil {
		if err := pipeline.CheckOwner(ctx, store, p, ""); err != nil {
			fmt.Fprintf(e.stderr, "mosaic forget: %v\nNothing was erased.\n", err)
			return ExitUsage
		}
	}
	res, err := forget.Forget(ctx, store, req)
	if errors.Is(err, forget.ErrNotFound) {
		fmt.Fprintf(e.stderr, "mosaic forget: %v: nothing to erase (check the value, or look it up with `mosaic profile %s`)\n", err, storeArg(*pipe, *state))
		return ExitFailed
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "mosaic forget: %v\nNothing was erased.\n", err)
		return ExitFailed
	}
	if res.MPID == 0 {
		forgotUnheld(e, req, *ident, res)
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "forget request %d: erased profile %d and %d MPIDs merged into it", res.ForgetID, res.MPID, res.Profiles-1)
	if req.Block {
		fmt.Fprint(e.stdout, "; its identities are blocked")
	}
	fmt.Fprintf(e.stdout, "\noutputs holding its records: %d; each removes them at its next sync (`mosaic sync`), and the forgotten view says when\n", res.Outputs)
	return ExitOK
}

// forgotUnheld reports a forget request that no profile held (ident, or
// req.MPID when ident is empty): what named it elsewhere went.
func forgotUnheld(e env, req forget.Request, ident string, res forget.Result) {
	what := fmt.Sprintf("no profile holds %s=%s", req.IdentityType, req.Identity)
	if ident == "" {
		what = fmt.Sprintf("no profile has MPID %d", req.MPID)
	}
	fmt.Fprintf(e.stdout, "forget request %d: %s; %d dropped rows naming it erased", res.ForgetID, what, res.Dropped)
	if res.Rows > 0 {
		fmt.Fprintf(e.stdout, ", %d staged rows carrying it", res.Rows)
	}
	if res.Stats > 0 {
		fmt.Fprintf(e.stdout, ", its entries in %d runs' stats lists", res.Stats)
	}
	if req.Block {
		fmt.Fprint(e.stdout, "; it is blocked")
	}
	fmt.Fprintln(e.stdout)
	if res.Outputs > 0 {
		fmt.Fprintf(e.stdout, "outputs holding its records: %d; each removes them at its next sync (`mosaic sync`), and the forgotten view says when\n", res.Outputs)
	}
}
