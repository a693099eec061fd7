package bigquery

import (
	"errors"
	"os"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// outputEnvVars are the environment variables Open reads: endpoint_env's,
// which may be unset (the real API) but when set is an endpoint.
func outputEnvVars(c OutputConfig) []connectors.EnvVar {
	if c.EndpointEnv == "" {
		return nil
	}
	return []connectors.EnvVar{{Key: "endpoint_env", Name: c.EndpointEnv, What: "the REST API's host:port or http(s) URL, or nothing for the real BigQuery API", Optional: true,
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
