package google

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
)

// credentials is a Google credentials JSON: a service account key or an
// authorized_user (client id, secret and refresh token).
type credentials struct {
	Type string `json:"type"`
	// service_account
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
	// authorized_user
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
}

// tokenSource reads the credentials from the environment variable
// credentials_env names. Errors name the variable and what is missing,
// never a value.
func tokenSource(ctx context.Context, output string, s Settings) (oauth2.TokenSource, error) {
	env := s.CredentialsEnv
	v := os.Getenv(env)
	if v == "" {
		return nil, fmt.Errorf("output %s: environment variable %s (credentials_env) is not set: set it to a service account key JSON or an authorized_user JSON (client_id, client_secret, refresh_token), e.g. `export %s=\"$(cat key.json)\"`", output, env, env)
	}
	var c credentials
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return nil, fmt.Errorf("output %s: environment variable %s (credentials_env) is not a credentials JSON object", output, env)
	}
	tokenURL := s.TokenURL
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
		if c.TokenURI != "" {
			tokenURL = c.TokenURI
		}
	}
	// Token requests get their own client: one attempt may take 30 s.
	ctx = context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
	missing := func(fields string) error {
		return fmt.Errorf("output %s: the %s credentials in %s (credentials_env) need %s", output, c.Type, env, fields)
	}
	switch c.Type {
	case "service_account":
		if c.ClientEmail == "" || c.PrivateKey == "" {
			return nil, missing("client_email and private_key")
		}
		cfg := &jwt.Config{Email: c.ClientEmail, PrivateKey: []byte(c.PrivateKey), PrivateKeyID: c.PrivateKeyID,
			Scopes: []string{Scope}, TokenURL: tokenURL}
		return cfg.TokenSource(ctx), nil
	case "authorized_user":
		if c.ClientID == "" || c.ClientSecret == "" || c.RefreshToken == "" {
			return nil, missing("client_id, client_secret and refresh_token")
		}
		cfg := &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Scopes: []string{Scope},
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
		return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: c.RefreshToken}), nil
	}
	return nil, fmt.Errorf("output %s: the credentials in %s (credentials_env) have type %q: use a service_account key or authorized_user credentials", output, env, c.Type)
}
