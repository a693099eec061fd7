// Package pipeline orders the stages of one run, records the run, and then
// syncs the outputs from the committed store.
package pipeline

import (
	"errors"
	"fmt"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Load reads a pipeline file and validates it whole: the file itself, then
// each feed's source block against its connector.
func Load(path string, reg *connectors.Registry) (*config.Pipeline, error) {
	p, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := Validate(p, reg); err != nil {
		return nil, err
	}
	return p, nil
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

func validateRequest(p *config.Pipeline, i int) connectors.ValidateRequest {
	return connectors.ValidateRequest{Feed: p.Feeds[i].Name, Source: p.Feeds[i].Source, Resolve: p.Resolve}
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
