package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
)

// Payload is a request's body.
type Payload struct {
	Output  string   `json:"output"`
	RunID   int64    `json:"run_id"`
	Records []Record `json:"records"`
}

// Record is one record of a Payload.
type Record struct {
	Op             string          `json:"op"`
	Key            string          `json:"key"`
	Fields         json.RawMessage `json:"fields"`
	IdempotencyKey string          `json:"idempotency_key"`
}

type writer struct {
	name   string
	url    string
	key    []byte // signing key; nil: unsigned
	header http.Header
	client *httpsend.Client
	now    func() time.Time // for tests; nil: time.Now
}

// Write sends b in one request, or in smaller ones when the receiver
// refuses it (see package httpsend's Split).
func (w *writer) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	errs := make([]error, len(b.Records))
	valid := make([]int, 0, len(b.Records)) // the records worth sending
	for i, r := range b.Records {
		switch {
		case r.Op != connectors.OpUpsert && r.Op != connectors.OpAdd && r.Op != connectors.OpRemove && r.Op != connectors.OpForward:
			errs[i] = &connectors.RecordError{Msg: fmt.Sprintf("unknown record op %q", r.Op)}
		case len(r.Fields) > 0 && !json.Valid(r.Fields):
			errs[i] = &connectors.RecordError{Msg: "the record's fields are not valid JSON"}
		default:
			valid = append(valid, i)
		}
	}
	sent := httpsend.Split(ctx, len(valid), func(ctx context.Context, lo, hi int) error {
		return w.send(ctx, b, valid[lo:hi])
	})
	if len(valid) == len(b.Records) {
		if err := httpsend.Failed(sent); err != nil {
			return nil, err
		}
	}
	for j, i := range valid {
		errs[i] = sent[j]
	}
	return errs, nil
}

// send POSTs the records idx of b, signed anew each attempt.
func (w *writer) send(ctx context.Context, b connectors.Batch, idx []int) error {
	body, err := w.body(b, idx)
	if err != nil {
		return err
	}
	id := MessageID(b.Records, idx)
	_, err = w.client.Do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, w.url, bytes.NewReader(body))
		if err != nil {
			// Not wrapped: net/http's error repeats the URL, which may be
			// secret (url_env). Open has parsed it, so this does not happen.
			return nil, errors.New("the webhook URL cannot be used in a request")
		}
		for k, vs := range w.header {
			req.Header[k] = vs
		}
		now := time.Now
		if w.now != nil {
			now = w.now
		}
		ts := now().Unix()
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "mosaic")
		req.Header.Set("webhook-id", id)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
		if w.key != nil {
			req.Header.Set("webhook-signature", Sign(w.key, id, ts, body))
		}
		return req, nil
	})
	return err
}

// body encodes the records idx of b; their fields as they are (not
// HTML-escaped), {} when empty. An events output's records (op forward)
// go as a JSON array of their batches, the Events API's bulk shape.
func (w *writer) body(b connectors.Batch, idx []int) ([]byte, error) {
	if len(idx) > 0 && b.Records[idx[0]].Op == connectors.OpForward {
		batches := make([]json.RawMessage, len(idx))
		for j, i := range idx {
			batches[j] = b.Records[i].Fields
		}
		return json.Marshal(batches)
	}
	p := Payload{Output: b.Output, RunID: b.RunID, Records: make([]Record, len(idx))}
	if p.Output == "" {
		p.Output = w.name
	}
	for j, i := range idx {
		r := b.Records[i]
		p.Records[j] = Record{Op: r.Op, Key: r.Key, Fields: r.Fields, IdempotencyKey: r.IdempotencyKey}
		if r.Forget {
			p.Records[j].Op = "forget"
		}
		if len(r.Fields) == 0 {
			p.Records[j].Fields = json.RawMessage("{}")
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode the request: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Close releases nothing: requests end with Write.
func (w *writer) Close() error { return nil }

// MessageID is the webhook-id of a request carrying records idx of recs:
// msg_ and 32 hex digits of a SHA-256 over their idempotency keys (over
// op, key and fields for a record without one), so that the same records
// resent carry the same id.
func MessageID(recs []connectors.Record, idx []int) string {
	h := sha256.New()
	for _, i := range idx {
		r := recs[i]
		if r.IdempotencyKey != "" {
			fmt.Fprintf(h, "k%d:%s\n", len(r.IdempotencyKey), r.IdempotencyKey)
		} else {
			fmt.Fprintf(h, "r%d:%s%d:%s%d:%s\n", len(r.Op), r.Op, len(r.Key), r.Key, len(r.Fields), r.Fields)
		}
	}
	return "msg_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Sign returns the webhook-signature of a request: v1, and the base64
// HMAC-SHA256, keyed with key, of "id.timestamp.body".
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, timestamp)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
