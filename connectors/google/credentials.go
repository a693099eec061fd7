package google

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"

	"github.com/mosaic-cdp/mosaic/connectors"
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

// envVars are the environment variables Open reads: credentials_env's,
// holding a credentials JSON that parseCredentials takes.
func envVars(s Settings) []connectors.EnvVar {
	return []connectors.EnvVar{{Key: "credentials_env", Name: s.CredentialsEnv,
		What: "a service account key JSON or an authorized_user JSON (client_id, client_secret, refresh_token), such as a key file's content",
		Check: func(v string) error {
			_, err := parseCredentials(v)
			return err
		}}}
}

// parseCredentials decodes a credentials JSON and checks it has what its
// type needs. Errors never show a value.
func parseCredentials(v string) (credentials, error) {
	var c credentials
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return c, errors.New("it is not a credentials JSON object")
	}
	switch c.Type {
	case "service_account":
		if c.ClientEmail == "" || c.PrivateKey == "" {
			return c, errors.New("the service_account credentials need client_email and private_key")
		}
		if !rsaKey(c.PrivateKey) {
			return c, errors.New("the service_account credentials' private_key is not a PEM RSA private key")
		}
	case "authorized_user":
		if c.ClientID == "" || c.ClientSecret == "" || c.RefreshToken == "" {
			return c, errors.New("the authorized_user credentials need client_id, client_secret and refresh_token")
		}
	default:
		return c, fmt.Errorf("the credentials have type %q: use a service_account key or authorized_user credentials", c.Type)
	}
	return c, nil
}

// rsaKey tells whether key is an RSA private key (PKCS #8 or #1, in PEM),
// as golang.org/x/oauth2/jwt parses it when it asks for a token.
func rsaKey(key string) bool {
	der := []byte(key)
	if block, _ := pem.Decode(der); block != nil {
		der = block.Bytes
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		_, ok := k.(*rsa.PrivateKey)
		return ok
	}
	_, err := x509.ParsePKCS1PrivateKey(der)
	return err == nil
}

// tokenSource reads the credentials from the environment variable
// credentials_env names. Errors name the variable and what is wrong,
// never a value.
func tokenSource(ctx context.Context, s Settings) (oauth2.TokenSource, error) {
	env, err := connectors.ReadEnv(envVars(s))
	if err != nil {
		return nil, err
	}
	c, _ := parseCredentials(env["credentials_env"]) // ReadEnv checked it
	tokenURL := s.TokenURL
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
		if c.TokenURI != "" {
			tokenURL = c.TokenURI
		}
	}
	// Token requests get their own client: one attempt may take 30 s.
	ctx = context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
	switch c.Type {
	case "service_account":
		cfg := &jwt.Config{Email: c.ClientEmail, PrivateKey: []byte(c.PrivateKey), PrivateKeyID: c.PrivateKeyID,
			Scopes: []string{Scope}, TokenURL: tokenURL}
		return cfg.TokenSource(ctx), nil
	default: // authorized_user
		cfg := &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Scopes: []string{Scope},
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
		return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: c.RefreshToken}), nil
	}
}
