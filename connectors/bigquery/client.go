package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// newClient connects as the block says: a service-account key file, no
// authentication towards an endpoint, or Application Default Credentials.
// Its REST requests go through watch when it is not nil. When the Storage
// Read API may be used it is enabled on the client.
func newClient(ctx context.Context, c Config, watch *netWatch) (*bigquery.Client, error) {
	var auth []option.ClientOption
	switch {
	case c.CredentialsFile != "":
		auth = append(auth, option.WithAuthCredentialsFile(option.ServiceAccount, c.CredentialsFile))
	case c.Endpoint != "":
		auth = append(auth, option.WithoutAuthentication())
	}
	opts := append([]option.ClientOption{}, auth...)
	if watch != nil {
		// The authenticating transport over watch; with an HTTP client of
		// its own the BigQuery client adds no transport.
		trans, err := htransport.NewTransport(ctx, watch, append([]option.ClientOption{option.WithScopes(bigquery.Scope)}, auth...)...)
		if err != nil {
			return nil, fmt.Errorf("connect: %w", redact(err))
		}
		opts = []option.ClientOption{option.WithHTTPClient(&http.Client{Transport: trans})}
	}
	if c.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(c.Endpoint))
	}
	client, err := bigquery.NewClient(ctx, c.Project, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", redact(err))
	}
	if c.Location != "" {
		client.Location = c.Location
	}
	if !c.useStorage() {
		return client, nil
	}
	ropts := append([]option.ClientOption{}, auth...)
	if watch != nil {
		ropts = append(ropts,
			option.WithGRPCDialOption(grpc.WithChainStreamInterceptor(watch.streamInterceptor)),
			option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(watch.unaryInterceptor)))
	}
	if c.ReadEndpoint != "" {
		ropts = append(ropts, option.WithEndpoint(c.ReadEndpoint))
		if strings.HasPrefix(c.Endpoint, "http://") {
			ropts = append(ropts, option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
		}
	}
	if err := client.EnableStorageReadClient(ctx, ropts...); err != nil {
		client.Close()
		return nil, fmt.Errorf("connect to the Storage Read API (set `storage_read: false` to read through REST): %w", redact(err))
	}
	return client, nil
}

// secretLike matches what must never reach a log or an error: private key
// blocks, and tokens or keys that a library might quote.
var secretLike = regexp.MustCompile(`(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)|"private_key(_id)?"\s*:\s*"[^"]*"|(?i)(bearer|access_token|refresh_token|client_secret)["=:\s]+[A-Za-z0-9._~+/-]{8,}`)

// redact returns err with anything credential-like replaced; it keeps
// err's chain for errors.Is/As.
func redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := secretLike.ReplaceAllString(msg, "[redacted]")
	if clean == msg {
		return err
	}
	return &redacted{msg: clean, err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
