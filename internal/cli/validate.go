package cli

import (
	"context"
	"fmt"
)

func runValidate(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "validate")
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
	fmt.Fprintf(e.stdout, "%s: ok (pipeline %q, %d feeds, %d calculated attributes, %d audiences, %d outputs)\n",
		pos[0], p.Name, len(p.Feeds), len(p.CalculatedAttributes), len(p.Audiences), len(p.Outputs))
	return ExitOK
}
