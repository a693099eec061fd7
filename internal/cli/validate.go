package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/mosaic-cdp/mosaic/connectors/builtin"
	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
	"github.com/mosaic-cdp/mosaic/internal/pipeline"
)

func runValidate(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "validate")
	explain := fs.Bool("explain", false, "print the compiled SQL of every audience")
	noEnv := fs.Bool("no-env", false, "check the file alone, not what its feeds and outputs read from the environment (their secrets): for a machine that has none, such as CI")
	pos, code, ok := parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	p, code := loadPipeline(e, pos[0])
	if p == nil {
		return code
	}
	// Loading lets a feed whose data has not arrived pass (a run warns);
	// validate reports it.
	if err := pipeline.Validate(p, builtin.Registry()); err != nil {
		fmt.Fprintln(e.stderr, err)
		fmt.Fprintf(e.stderr, "%s is not valid: fix the problems above and run `mosaic validate %s`\n", pos[0], pos[0])
		return ExitUsage
	}
	if err := audiences.Check(ctx, p); err != nil {
		fmt.Fprintln(e.stderr, err)
		if errors.Is(err, config.ErrInvalid) {
			fmt.Fprintf(e.stderr, "%s is not valid: fix the problems above and run `mosaic validate %s`\n", pos[0], pos[0])
			return ExitUsage
		}
		return ExitFailed
	}
	if !*noEnv {
		var ee *pipeline.EnvError
		if err := pipeline.CheckEnv(p, builtin.Registry(), true); errors.As(err, &ee) {
			fmt.Fprintln(e.stderr, err)
			fmt.Fprintf(e.stderr, "%s is valid, but %s here: set the variables above and run `mosaic validate %s` again (or check the file alone with --no-env)\n", pos[0], ee.Cannot(), shellQuote(pos[0]))
			return ExitFailed
		}
	}
	if *explain {
		text, err := audiences.Explain(p)
		if err != nil {
			fmt.Fprintf(e.stderr, "mosaic validate: %v\n", err)
			return ExitFailed
		}
		fmt.Fprint(e.stdout, text)
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "%s: ok (pipeline %q, %d feeds, %d calculated attributes, %d audiences, %d outputs)\n",
		pos[0], p.Name, len(p.Feeds), len(p.CalculatedAttributes), len(p.Audiences), len(p.Outputs))
	return ExitOK
}
