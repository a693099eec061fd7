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

// EnvVar is an environment variable that an output's Open reads, named by
// one of the output's keys. A destination lists them once, for Open
// (ReadEnv) and CheckEnv (CheckEnv) alike.
type EnvVar struct {
	// Key is the output's key that names the variable: secret_env,
	// headers_env.Authorization.
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

// ReadEnv reads vars for an output's Open and returns their values by
// Key. The first variable that is unset (and not Optional) or that Check
// refuses is an error naming it and its key, never a value; like every
// error of Open, it leaves naming the output to the engine.
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
	var problems []error
	for _, v := range vars {
		value := os.Getenv(v.Name)
		var err error
		switch {
		case value == "" && v.Optional:
		case value == "":
			err = o.Raw.Errorf(v.Key, "environment variable %s is not set, and output %s cannot sync without it: set it to %s, e.g. `export %s=...`", v.Name, o.Name, v.What, v.Name)
		case v.Check != nil:
			if cerr := v.Check(value); cerr != nil {
				err = o.Raw.Errorf(v.Key, "environment variable %s is set, but output %s cannot sync with it: %v", v.Name, o.Name, cerr)
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
