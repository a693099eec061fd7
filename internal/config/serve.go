package config

import (
	"fmt"
	"net"
	"regexp"
	"time"
)

// Serve is the `serve:` block: how `mosaic serve` listens and what its
// Profile API accepts. The Events API is configured by the feeds of
// `kind: events_api`. See docs/serve.md.
type Serve struct {
	// Addr is the address to listen on (default 127.0.0.1:8080).
	Addr       string     `yaml:"addr"`
	ProfileAPI ProfileAPI `yaml:"profile_api"`
}

// ProfileAPI configures the Profile API; without client_id_env it is off.
type ProfileAPI struct {
	// ClientIDEnv and ClientSecretEnv name the environment variables that
	// hold the OAuth client's id and secret.
	ClientIDEnv     string `yaml:"client_id_env"`
	ClientSecretEnv string `yaml:"client_secret_env"`
	// Resolve lists the identity types a profile may be resolved by
	// (default: customerid). Each should be unique to a profile.
	Resolve []string `yaml:"resolve"`
	// TokenTTL is how long an access token lives (default 8h).
	TokenTTL Duration `yaml:"token_ttl"`
}

// DefaultServeAddr is where `mosaic serve` listens unless told.
const DefaultServeAddr = "127.0.0.1:8080"

// DefaultTokenTTL is the Profile API's token lifetime unless told.
const DefaultTokenTTL = 8 * time.Hour

// EnvNameRE matches an environment variable's name.
var EnvNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (v *validator) validateServe() {
	s := &v.p.Serve
	if s.Addr != "" {
		if _, _, err := net.SplitHostPort(s.Addr); err != nil {
			v.errorf("serve.addr", "bad address %q: write HOST:PORT, like %s", s.Addr, DefaultServeAddr)
		}
	}
	a := &s.ProfileAPI
	for _, k := range []struct{ key, value string }{{"client_id_env", a.ClientIDEnv}, {"client_secret_env", a.ClientSecretEnv}} {
		if k.value != "" && !EnvNameRE.MatchString(k.value) {
			v.errorf("serve.profile_api."+k.key, "%q is not an environment variable's name: write one like MOSAIC_PROFILE_CLIENT_ID", k.value)
		}
	}
	if (a.ClientIDEnv == "") != (a.ClientSecretEnv == "") {
		v.errorf("serve.profile_api", "give both client_id_env and client_secret_env (the variables holding the OAuth client's id and secret), or neither to turn the Profile API off")
	}
	if a.ClientIDEnv != "" && a.ClientIDEnv == a.ClientSecretEnv {
		v.errorf("serve.profile_api.client_secret_env", "client_id_env and client_secret_env both name %s: give the secret its own variable", a.ClientIDEnv)
	}
	for i, t := range a.Resolve {
		v.identityType(fmt.Sprintf("serve.profile_api.resolve[%d]", i), t)
	}
}

// ResolveTypes are the identity types the Profile API resolves by, spelled
// as stored.
func (a ProfileAPI) ResolveTypes() []string {
	if len(a.Resolve) == 0 {
		return []string{"customerid"}
	}
	out := make([]string, len(a.Resolve))
	for i, t := range a.Resolve {
		out[i], _ = CanonicalIdentityType(t)
	}
	return out
}
