package bigquery

import (
	"errors"
	"os"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// outputEnvVars are the environment variables Open reads: as a feed's
// Read (envVars).
func outputEnvVars(c OutputConfig) []connectors.EnvVar { return envVars(c.EndpointEnv) }

// envVars are the environment variables a feed's Read and an output's
// Open read: endpoint_env's (named name, "" for none), which may be unset
// (the real API) but when set is an endpoint.
func envVars(name string) []connectors.EnvVar {
	if name == "" {
		return nil
	}
	return []connectors.EnvVar{{Key: "endpoint_env", Name: name, What: "the REST API's host:port or http(s) URL, or nothing for the real BigQuery API", Optional: true,
		Check: func(v string) error {
			if _, err := endpointURL(v); err != nil {
				return errors.New("it is not host:port or an http(s) URL; fix the variable or unset it to use the real BigQuery API")
			}
			return nil
		}}}
}

// CheckEnv checks what Open reads from the machine without connecting:
// endpoint_env's variable, and that the credentials file is there.
func (d *Destination) CheckEnv(req connectors.OutputRequest) error {
	c, err := decodeOutput(req)
	if err != nil {
		return err
	}
	err = connectors.CheckEnv(req.Output, outputEnvVars(c))
	if c.CredentialsFile != "" {
		path := c.CredentialsFile
		if req.Resolve != nil {
			path = req.Resolve(path)
		}
		if _, serr := os.Stat(path); serr != nil {
			err = connectors.JoinErrors(err, req.Output.Raw.Errorf("credentials_file", "output %s cannot sync: cannot read the service-account key file %s: %v", req.Output.Name, path, unwrapPathError(serr)))
		}
	}
	return err
}

var _ connectors.SourceEnvChecker = (*Source)(nil)

// CheckEnv checks what Read reads from the machine, without connecting:
// endpoint_env's variable, and that the credentials file is there.
func (s *Source) CheckEnv(req connectors.ValidateRequest) error {
	c, err := decode(req)
	if err != nil {
		return err
	}
	err = connectors.CheckSourceEnv(req, envVars(c.EndpointEnv))
	if c.CredentialsFile != "" {
		path := req.Resolve(c.CredentialsFile)
		if _, serr := os.Stat(path); serr != nil {
			err = connectors.JoinErrors(err, req.Source.Raw.Errorf("credentials_file", "feed %s cannot be read: cannot read the service-account key file %s: %v", req.Feed, path, unwrapPathError(serr)))
		}
	}
	return err
}
