// Package pipeline orders the stages of one run, records the run, and then
// syncs the outputs from the committed store.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/audiences"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Load reads a pipeline file and validates it: the file itself, then each
// feed's source block against its connector. A feed whose data has not
// arrived yet (config.Error.NoData) does not fail Load, as a scheduled run
// must still run; Validate reports it.
func Load(path string, reg *connectors.Registry) (*config.Pipeline, error) {
	p, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if _, err := validateForRun(p, reg); err != nil {
		return nil, err
	}
	return p, nil
}

// validateForRun is Validate for a run: it returns the NoData problems
// apart, by feed name, as warnings, and the other problems as the error.
func validateForRun(p *config.Pipeline, reg *connectors.Registry) (map[string]*config.Error, error) {
	err := Validate(p, reg)
	var es config.Errors
	if !errors.As(err, &es) {
		return nil, err
	}
	warnings := map[string]*config.Error{}
	var rest config.Errors
	for _, e := range es {
		if f, ok := feedOf(p, e); ok && e.NoData {
			warnings[f] = e
			continue
		}
		rest = append(rest, e)
	}
	if len(rest) > 0 {
		return warnings, rest
	}
	return warnings, nil
}

// check validates p for a run; noData lists the feeds with no data yet.
// A run first checks what its feeds, and the outputs it will sync, read
// from the environment (an *EnvError): a feed that could not be read, or
// an output that could not sync, is refused before the run stages
// anything, rather than failing it after the feeds before it, or its
// outputs after it commits.
func (r *Runner) check(ctx context.Context, p *config.Pipeline, opts Options) (noData map[string]*config.Error, err error) {
	if noData, err = validateForRun(p, r.Registry); err != nil {
		return nil, err
	}
	if err := audiences.Check(ctx, p); err != nil {
		return nil, err
	}
	if err := CheckEnv(p, r.Registry, !opts.NoSync && !opts.DryRun); err != nil {
		return nil, err
	}
	return noData, nil
}

// feedOf names the feed whose source block a source's error is about (its
// message starts with feeds[i].source).
func feedOf(p *config.Pipeline, e *config.Error) (string, bool) {
	for i, f := range p.Feeds {
		if strings.HasPrefix(e.Msg, fmt.Sprintf("feeds[%d].source", i)) {
			return f.Name, true
		}
	}
	return "", false
}

// feedProblem is a problem of feed i's source block as its feed's stats
// state it: its message, past the key it is about and the feed's name.
func feedProblem(p *config.Pipeline, i int, e *config.Error) string {
	msg := e.Msg
	if rest, ok := strings.CutPrefix(msg, fmt.Sprintf("feeds[%d].source", i)); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			msg = after
		}
	}
	return strings.TrimPrefix(msg, "feed "+p.Feeds[i].Name+": ")
}

// Validate checks what config cannot: that each source and output kind
// exists and accepts its block. It returns config.Errors.
func Validate(p *config.Pipeline, reg *connectors.Registry) error {
	var errs config.Errors
	for i, f := range p.Feeds {
		path := fmt.Sprintf("feeds[%d].source", i)
		src, err := reg.Source(f.Source.Kind)
		if err != nil {
			errs = append(errs, &config.Error{Pos: p.Pos(path + ".kind"), Msg: path + ".kind: " + err.Error()})
			continue
		}
		if err := src.Validate(validateRequest(p, i)); err != nil {
			errs = append(errs, asConfigErrors(p, path, err)...)
		}
	}
	for i, o := range p.Outputs {
		path := fmt.Sprintf("outputs[%d]", i)
		d, err := reg.Destination(o.Kind)
		if err != nil {
			if o.Kind != "" { // config reported a missing kind
				errs = append(errs, &config.Error{Pos: p.Pos(path + ".kind"), Msg: path + ".kind: " + err.Error()})
			}
			continue
		}
		if err := d.Validate(connectors.OutputRequest{Output: o, Resolve: p.Resolve}); err != nil {
			errs = append(errs, asConfigErrors(p, path, err)...)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// EnvError is returned by CheckEnv, CheckFeedEnv and CheckOutputEnv, and
// by Run before it stages anything, when feeds cannot be read or outputs
// cannot sync in this environment: a variable holding a secret is unset
// or malformed (or a key file is missing). The pipeline file itself is
// valid (errors.Is(err, config.ErrInvalid) is false).
type EnvError struct {
	// Problems are positioned at the keys naming the variables, in file
	// order; they name the variables, never their values.
	Problems config.Errors
	// Feeds and Outputs tell whether problems are of feeds, of outputs.
	Feeds, Outputs bool
}

func (e *EnvError) Error() string { return e.Problems.Error() }

// Cannot says what cannot work here, for a message: "its feeds cannot be
// read", "its outputs cannot sync", or both.
func (e *EnvError) Cannot() string {
	switch {
	case e.Feeds && e.Outputs:
		return "its feeds cannot be read and its outputs cannot sync"
	case e.Feeds:
		return "its feeds cannot be read"
	}
	return "its outputs cannot sync"
}

// Above says what could not work, after the problems are printed: "the
// feeds above could not be read", "the outputs above could not sync after
// a run", or both.
func (e *EnvError) Above() string {
	const feeds, outputs = "the feeds above could not be read", "the outputs above could not sync after a run"
	switch {
	case e.Feeds && e.Outputs:
		return feeds + ", and " + outputs
	case e.Feeds:
		return feeds
	}
	return outputs
}

// CheckEnv checks what p's feeds read from the machine (CheckFeedEnv)
// and, with outputs, what its outputs do (CheckOutputEnv), and returns
// every problem in one *EnvError, in file order, or nil.
func CheckEnv(p *config.Pipeline, reg *connectors.Registry, outputs bool) error {
	err := CheckFeedEnv(p, reg)
	if !outputs {
		return err
	}
	oerr := CheckOutputEnv(p, reg, "")
	var fe, oe *EnvError
	switch {
	case !errors.As(err, &fe):
		return oerr
	case !errors.As(oerr, &oe):
		return err
	}
	var es config.Errors
	errors.As(connectors.JoinErrors(fe.Problems, oe.Problems), &es)
	return &EnvError{Problems: es, Feeds: true, Outputs: true}
}

// CheckFeedEnv checks what p's feeds read from the machine when a run
// reads them (connectors.SourceEnvChecker): each variable is set and holds
// what its source takes, and a key file is there, connecting to nothing;
// a feed whose block does not validate is Validate's to report. It
// returns an *EnvError, or nil.
func CheckFeedEnv(p *config.Pipeline, reg *connectors.Registry) error {
	var problems []error
	for i := range p.Feeds {
		if err := checkFeedEnv(p, i, reg); err != nil {
			problems = append(problems, err)
		}
	}
	var es config.Errors
	if errors.As(connectors.JoinErrors(problems...), &es) {
		return &EnvError{Problems: es, Feeds: true}
	}
	return nil
}

// checkFeedEnv checks what feed i reads from the machine: config.Errors,
// or nil when it reads nothing or its block does not validate.
func checkFeedEnv(p *config.Pipeline, i int, reg *connectors.Registry) error {
	src, err := reg.Source(p.Feeds[i].Source.Kind)
	if err != nil {
		return nil
	}
	ec, ok := src.(connectors.SourceEnvChecker)
	if !ok {
		return nil
	}
	req := validateRequest(p, i)
	if src.Validate(req) != nil {
		return nil
	}
	return ec.CheckEnv(req)
}

// CheckOutputEnv checks what p's outputs read from the machine when they
// sync (connectors.EnvChecker): each variable is set and holds what its
// platform defines. It checks the output named only, or every output
// when only is "", connecting to nothing; an output whose block does not
// validate is Validate's to report. It returns an *EnvError, or nil.
func CheckOutputEnv(p *config.Pipeline, reg *connectors.Registry, only string) error {
	var problems []error
	for _, o := range p.Outputs {
		if only != "" && o.Name != only {
			continue
		}
		d, err := reg.Destination(o.Kind)
		if err != nil {
			continue
		}
		ec, ok := d.(connectors.EnvChecker)
		if !ok {
			continue
		}
		req := connectors.OutputRequest{Output: o, Resolve: p.Resolve}
		if d.Validate(req) != nil {
			continue
		}
		problems = append(problems, ec.CheckEnv(req))
	}
	var es config.Errors
	if errors.As(connectors.JoinErrors(problems...), &es) {
		return &EnvError{Problems: es, Outputs: true}
	}
	return nil
}

func validateRequest(p *config.Pipeline, i int) connectors.ValidateRequest {
	return connectors.ValidateRequest{Feed: p.Feeds[i].Name, Source: p.Feeds[i].Source, Resolve: p.Resolve, Store: p.State}
}

// asConfigErrors keeps a connector's positioned errors and positions the
// others at the source block.
func asConfigErrors(p *config.Pipeline, path string, err error) config.Errors {
	var es config.Errors
	if errors.As(err, &es) {
		return es
	}
	var e *config.Error
	if errors.As(err, &e) {
		return config.Errors{e}
	}
	return config.Errors{{Pos: p.Pos(path), Msg: path + ": " + err.Error()}}
}
