package connectortest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// EnvCase is one environment for RunEnvCases: the variables to set (""
// leaves one unset) and the exact error CheckEnv must return ("" for
// none).
type EnvCase struct {
	Env  map[string]string
	Want string
}

// RunEnvCases checks a destination's CheckEnv on req, case by case, with
// the case's variables set and every other variable a case names unset:
// CheckEnv returns the case's error exactly; when it returns one, Open
// fails too (a run must not commit an output that cannot open), with an
// error that leaves naming the output to the engine; and neither error
// shows a value the case set. Validate passes whatever the
// environment.
func RunEnvCases(t *testing.T, d connectors.Destination, req connectors.OutputRequest, cases []EnvCase) {
	t.Helper()
	ec, ok := d.(connectors.EnvChecker)
	if !ok {
		t.Fatalf("%T is not a connectors.EnvChecker", d)
	}
	runCases(t, cases, func() error { return d.Validate(req) }, func() error { return ec.CheckEnv(req) }, func(c EnvCase) error {
		w, oerr := d.Open(context.Background(), req)
		switch {
		case oerr == nil:
			w.Close()
			t.Errorf("env %v: CheckEnv refused it, but Open succeeded", c.Env)
		case strings.Contains(oerr.Error(), "output "+req.Output.Name):
			t.Errorf("env %v: Open's error names the output, which the engine does (output_runs has it beside the error; a failed sync says `output NAME: ` once): %v", c.Env, oerr)
		}
		return oerr
	})
}

// runCases runs cases: with each one's variables set (caseEnv), validate
// passes and check returns the case's error exactly; when it returns one,
// refused (the use CheckEnv must keep from going ahead) is tried and its
// error checked too; and neither error shows a value the case set.
func runCases(t *testing.T, cases []EnvCase, validate, check func() error, refused func(EnvCase) error) {
	t.Helper()
	setEnv := caseEnv(t, cases)
	for _, c := range cases {
		setEnv(c)
		if err := validate(); err != nil {
			t.Errorf("env %v: Validate: %v (it must not read the environment)", c.Env, err)
		}
		err := check()
		if got := errString(err); got != c.Want {
			t.Errorf("env %v: CheckEnv:\n got: %s\nwant: %s", c.Env, got, c.Want)
		}
		errs := []error{err}
		if err != nil {
			errs = append(errs, refused(c))
		}
		for _, e := range errs {
			for _, v := range c.Env {
				if e != nil && len(v) >= 4 && strings.Contains(e.Error(), v) {
					t.Errorf("env %v: an error shows a value: %v", c.Env, e)
				}
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// RunSourceEnvCases is RunEnvCases for a source's CheckEnv on req: with
// each case's variables set (and the other variables a case names
// unset), Validate passes, CheckEnv returns the case's error exactly, and
// when it returns one, Read fails too, before it connects or stages
// anything (a run must not read a feed that cannot be read), with an
// error that leaves naming the feed to the engine; and neither error
// shows a value the case set.
func RunSourceEnvCases(t *testing.T, src connectors.Source, req connectors.ValidateRequest, cases []EnvCase) {
	t.Helper()
	ec, ok := src.(connectors.SourceEnvChecker)
	if !ok {
		t.Fatalf("%T is not a connectors.SourceEnvChecker", src)
	}
	runCases(t, cases, func() error { return src.Validate(req) }, func() error { return ec.CheckEnv(req) }, func(c EnvCase) error {
		_, rerr := src.Read(context.Background(), connectors.ReadRequest{ValidateRequest: req, Columns: []string{"id"}}, refusingSink{})
		switch {
		case rerr == nil:
			t.Errorf("env %v: CheckEnv refused it, but Read succeeded", c.Env)
		case errors.Is(rerr, errStaged):
			t.Errorf("env %v: CheckEnv refused it, but Read staged rows: %v", c.Env, rerr)
		case strings.Contains(rerr.Error(), "feed "+req.Feed):
			t.Errorf("env %v: Read's error names the feed, which the engine does: %v", c.Env, rerr)
		}
		return rerr
	})
}

// errStaged is what refusingSink answers.
var errStaged = errors.New("the source staged rows")

// refusingSink refuses everything a source hands it.
type refusingSink struct{}

func (refusingSink) Arrow(context.Context, array.RecordReader) error { return errStaged }
func (refusingSink) Query(context.Context, string) error             { return errStaged }
func (refusingSink) Dropped(context.Context, string) error           { return errStaged }
func (refusingSink) DroppedRecords(context.Context, array.RecordReader) error {
	return errStaged
}
func (refusingSink) Temp(context.Context, string) (string, error) { return "", errStaged }

// caseEnv returns what sets a case's variables and unsets every other
// variable the cases name.
func caseEnv(t *testing.T, cases []EnvCase) func(EnvCase) {
	names := map[string]bool{}
	for _, c := range cases {
		for k := range c.Env {
			names[k] = true
		}
	}
	sorted := slices.Sorted(maps.Keys(names))
	return func(c EnvCase) {
		for _, k := range sorted {
			t.Setenv(k, c.Env[k])
		}
	}
}
