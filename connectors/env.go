package connectors

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// EnvChecker is implemented by a Destination whose Open reads the
// machine's environment: secrets and URLs from environment variables, a
// key file. CheckEnv reads what Open reads and checks what can be checked
// without connecting: that each variable is set and holds what the
// platform defines (a Standard Webhooks secret is whsec_ and base64, a
// UID2 client secret base64 of 32 bytes), so that `mosaic validate`,
// `check`, `run` and `sync` report a missing or malformed secret before a
// run commits rather than when the output syncs after it.
//
// Call it after Validate, with the OutputRequest Validate had. It returns
// every problem at once as config.Errors, each positioned at the key that
// names the variable (config.Raw.Errorf) and naming the variable, never
// its value.
type EnvChecker interface {
	CheckEnv(req OutputRequest) error
}

// SourceEnvChecker is EnvChecker for a Source whose Read (and Check) reads
// the machine's environment: a connection string from an environment
// variable, a key file. CheckEnv checks, without connecting, what Read
// reads, so that `mosaic validate`, `check`, `run`, `schedule` and `serve`
// report a missing or malformed secret before a run stages anything rather
// than when it reads the feed, after the feeds before it.
//
// Call it after Validate, with the ValidateRequest Validate had. It
// returns every problem at once as config.Errors, each positioned at the
// key that names the variable and naming the variable, never its value
// (CheckSourceEnv does that).
type SourceEnvChecker interface {
	CheckEnv(req ValidateRequest) error
}

// EnvVar is an environment variable that an output's Open or a feed's
// Read reads, named by one of the block's keys. A destination or a source
// lists them once, for Open or Read (ReadEnv) and CheckEnv (CheckEnv,
// CheckSourceEnv) alike.
type EnvVar struct {
	// Key is the output's or source block's key that names the variable:
	// secret_env, headers_env.Authorization, dsn_env.
	Key string
	// Name is the variable's name.
	Name string
	// What says what the variable holds, for messages: "whsec_<base64>,
	// the webhook's signing secret".
	What string
	// Optional lets the variable be unset or empty.
	Optional bool
	// Check, when set, says what is wrong with a value that is set,
	// without repeating the value.
	Check func(value string) error
}

// ReadEnv reads vars for an output's Open or a feed's Read and returns
// their values by Key. The first variable that is unset (and not
// Optional) or that Check refuses is an error naming it and its key,
// never a value; it leaves naming the output or feed to the engine.
func ReadEnv(vars []EnvVar) (map[string]string, error) {
	values := make(map[string]string, len(vars))
	for _, v := range vars {
		value := os.Getenv(v.Name)
		switch {
		case value == "" && v.Optional:
		case value == "":
			return nil, fmt.Errorf("environment variable %s (%s) is not set: set it to %s, e.g. `export %s=...`", v.Name, v.Key, v.What, v.Name)
		case v.Check != nil:
			if err := v.Check(value); err != nil {
				return nil, fmt.Errorf("environment variable %s (%s): %w", v.Name, v.Key, err)
			}
		}
		values[v.Key] = value
	}
	return values, nil
}

// CheckEnv checks vars for o's EnvChecker.CheckEnv: every variable that is
// unset (and not Optional) or that Check refuses is a problem positioned
// at its key in o's block. It returns config.Errors, or nil.
func CheckEnv(o config.Output, vars []EnvVar) error {
	return checkVars(o.Raw, vars, "output "+o.Name+" cannot sync")
}

// CheckSourceEnv checks vars for a SourceEnvChecker.CheckEnv of the feed
// req is about, as CheckEnv does for an output: each problem is
// positioned at its key in the feed's source block. It returns
// config.Errors, or nil.
func CheckSourceEnv(req ValidateRequest, vars []EnvVar) error {
	return checkVars(req.Source.Raw, vars, "feed "+req.Feed+" cannot be read")
}

// checkVars checks vars, each a problem at its key in raw saying that
// cannot ("output crm cannot sync") without it or with it.
func checkVars(raw config.Raw, vars []EnvVar, cannot string) error {
	var problems []error
	for _, v := range vars {
		value := os.Getenv(v.Name)
		var err error
		switch {
		case value == "" && v.Optional:
		case value == "":
			err = raw.Errorf(v.Key, "environment variable %s is not set, and %s without it: set it to %s, e.g. `export %s=...`", v.Name, cannot, v.What, v.Name)
		case v.Check != nil:
			if cerr := v.Check(value); cerr != nil {
				err = raw.Errorf(v.Key, "environment variable %s is set, but %s with it: %v", v.Name, cannot, cerr)
			}
		}
		problems = append(problems, err)
	}
	return JoinErrors(problems...)
}

// JoinErrors joins the problems of errs, each a config.Errors or a
// *config.Error (nil ones are skipped), into one config.Errors in file
// order, or nil when there are none. Another error is kept as a problem
// without a position.
func JoinErrors(errs ...error) error {
	var out config.Errors
	for _, err := range errs {
		out = appendErrors(out, err)
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortStableFunc(out, func(a, b *config.Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return out
}

func appendErrors(errs config.Errors, err error) config.Errors {
	var es config.Errors
	var e *config.Error
	switch {
	case err == nil:
		return errs
	case errors.As(err, &es):
		return append(errs, es...)
	case errors.As(err, &e):
		return append(errs, e)
	}
	return append(errs, &config.Error{Msg: err.Error()})
}
