// Package uid2 is a client of UID2's (Unified ID 2.0) identity map
// endpoint, POST {endpoint}/v2/identity/map, for advertisers: it maps the
// base64 SHA-256 hashes of normalised e-mails and phone numbers (package
// adnorm's UID2) to raw UID2s, in UID2's encrypted envelope (envelope.go).
//
// A request carries one kind, {"email_hash": [...]} or {"phone_hash":
// [...]}, at most MaxIdentities hashes; requests go one after the other,
// never in parallel, as UID2 asks of clients of its public operators. The
// API key goes in an Authorization: Bearer header. A 200 answer is
// encrypted: {"body": {"mapped": [{"identifier", "advertising_id",
// "bucket_id"}], "unmapped": [{"identifier", "reason"}]}, "status":
// "success"}; unmapped reasons are "optout" and "invalid identifier".
// Other answers are plain JSON {"status", "message"}.
//
// Buckets (buckets.go) asks POST {endpoint}/v2/identity/buckets, in the
// same envelope, which salt buckets rotated since a time ({"since_timestamp":
// "yyyy-MM-ddTHH:mm:ss"}, UTC; the answer {"body": [{"bucket_id",
// "last_updated"}], "status": "success"}): a raw UID2 changes when its
// bucket's salt rotates, so a caller that keeps mappings with their bucket
// ids maps again the hashes of rotated buckets. Keeping them is the
// caller's (package tradedesk keeps them in the engine's store).
package uid2

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
)

// DefaultEndpoint is UID2's global production operator.
const DefaultEndpoint = "https://prod.uidapi.com"

// MaxIdentities is the most hashes one identity map request carries.
const MaxIdentities = 5000

// Identity kinds, as package adnorm names them.
const (
	KindEmail = "email"
	KindPhone = "phone"
)

// Unmapped reasons UID2 documents.
const (
	ReasonOptOut  = "optout"
	ReasonInvalid = "invalid identifier"
)

// Mapping is what UID2 answered for one hash: a raw UID2 and its salt
// bucket, or why there is none.
type Mapping struct {
	UID2, BucketID string
	// Reason is set when the hash did not map ("optout", "invalid
	// identifier").
	Reason string
}

// Client maps identities for one API key and secret. It is not safe for
// concurrent use (UID2 wants requests one at a time).
type Client struct {
	url, bucketsURL, apiKey string
	secret                  []byte
	http                    *httpsend.Client
	now                     func() time.Time
}

// NewClient returns a client of endpoint's identity map. opts.Secrets
// should hold the API key and the base64 secret so that no error shows
// them.
func NewClient(endpoint, apiKey string, secret []byte, opts httpsend.Options) *Client {
	return &Client{
		url:        strings.TrimRight(endpoint, "/") + "/v2/identity/map",
		bucketsURL: strings.TrimRight(endpoint, "/") + "/v2/identity/buckets",
		apiKey:     apiKey, secret: secret,
		http: httpsend.New(opts),
		now:  time.Now,
	}
}

// Request is an identity map request's plaintext body.
type Request struct {
	EmailHash []string `json:"email_hash,omitempty"`
	PhoneHash []string `json:"phone_hash,omitempty"`
}

// Response is an identity map answer's plaintext.
type Response struct {
	Body struct {
		Mapped []struct {
			Identifier    string `json:"identifier"`
			AdvertisingID string `json:"advertising_id"`
			BucketID      string `json:"bucket_id"`
		} `json:"mapped"`
		Unmapped []struct {
			Identifier string `json:"identifier"`
			Reason     string `json:"reason"`
		} `json:"unmapped"`
	} `json:"body"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Map maps hashes of kind (KindEmail or KindPhone) in requests of at most
// MaxIdentities, sequentially. Every hash gets a Mapping; one UID2 left
// out of its answer gets the Reason "not in UID2's answer". An error means
// a request failed past its retries: nothing is returned.
func (c *Client) Map(ctx context.Context, kind string, hashes []string) (map[string]Mapping, error) {
	if kind != KindEmail && kind != KindPhone {
		return nil, fmt.Errorf("UID2 maps e-mail and phone hashes, not %q", kind)
	}
	out := make(map[string]Mapping, len(hashes))
	for lo := 0; lo < len(hashes); lo += MaxIdentities {
		chunk := hashes[lo:min(lo+MaxIdentities, len(hashes))]
		req := Request{EmailHash: chunk}
		if kind == KindPhone {
			req = Request{PhoneHash: chunk}
		}
		resp, err := c.do(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, m := range resp.Body.Mapped {
			out[m.Identifier] = Mapping{UID2: m.AdvertisingID, BucketID: m.BucketID}
		}
		for _, u := range resp.Body.Unmapped {
			out[u.Identifier] = Mapping{Reason: u.Reason}
		}
		for _, h := range chunk {
			if _, ok := out[h]; !ok {
				out[h] = Mapping{Reason: "not in UID2's answer"}
			}
		}
	}
	return out, nil
}

// do sends one identity map request.
func (c *Client) do(ctx context.Context, r Request) (*Response, error) {
	var out Response
	if err := c.post(ctx, c.url, r, &out, "an identity map response"); err != nil {
		return nil, err
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("POST %s: UID2 answered status %q: %s", c.url, out.Status, out.Message)
	}
	return &out, nil
}

// post sends body to url, encrypted anew (timestamp and nonce) each
// attempt, and decodes the decrypted answer of the last into out (what
// names it in errors).
func (c *Client) post(ctx context.Context, url string, body, out any, what string) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode the request to %s: %w", url, err)
	}
	var nonce Nonce
	header := http.Header{"Authorization": {"Bearer " + c.apiKey}, "Content-Type": {"text/plain"}, "User-Agent": {"mosaic"}}
	resp, err := c.http.Do(ctx, func() (*http.Request, error) {
		if _, err := rand.Read(nonce[:]); err != nil {
			return nil, fmt.Errorf("draw a nonce: %w", err)
		}
		env, err := EncryptRequest(c.secret, c.now(), nonce, payload)
		if err != nil {
			return nil, err
		}
		return httpsend.NewRequest(http.MethodPost, url, header, []byte(env))()
	})
	if err != nil {
		return explain(err)
	}
	plain, err := DecryptResponse(c.secret, resp.Body, nonce)
	if err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	if err := json.Unmarshal(plain, out); err != nil {
		return fmt.Errorf("POST %s: the decrypted answer is not %s: %w", url, what, err)
	}
	return nil
}

// explain adds what to do to the errors a user can fix.
func explain(err error) error {
	var se *httpsend.StatusError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%w: check the API key in uid2_key_env, and that it has the MAPPER role", err)
	case http.StatusBadRequest:
		return fmt.Errorf("%w: UID2 refused the request (a client secret that does not match the API key makes the envelope undecryptable)", err)
	}
	return err
}
