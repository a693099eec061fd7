package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
)

// logger is where writers log what Meta reports (tests replace it).
var logger = slog.Default

// Body is a users request's body.
type Body struct {
	Payload Payload `json:"payload"`
	Session Session `json:"session"`
}

// Payload is the rows of a users request: one value a schema key a row,
// "" where a row has none.
type Payload struct {
	Schema []string   `json:"schema"`
	Data   [][]string `json:"data"`
}

// Session ties the requests of one upload together.
type Session struct {
	SessionID         int64 `json:"session_id"`
	BatchSeq          int   `json:"batch_seq"`
	LastBatchFlag     bool  `json:"last_batch_flag"`
	EstimatedNumTotal int   `json:"estimated_num_total"`
}

// Response is what a users request answers.
type Response struct {
	AudienceID          string          `json:"audience_id"`
	SessionID           json.Number     `json:"session_id"`
	NumReceived         int             `json:"num_received"`
	NumInvalidEntries   int             `json:"num_invalid_entries"`
	InvalidEntrySamples json.RawMessage `json:"invalid_entry_samples"`
}

type writer struct {
	name, url, token string
	// types maps the output's identity types to schema keys.
	types  map[string]string
	client *httpsend.Client
	log    *slog.Logger
	// invalid counts the rows Meta reported invalid (num_invalid_entries).
	invalid int
}

// rows is one record's rows for schema, or why it has none.
type rows struct {
	data [][]string
	err  error
}

// Write sends the batch's records in runs of one op (removes come first),
// each run halved as package httpsend's Split does when Meta refuses it.
func (w *writer) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	schema := w.schema()
	errs := make([]error, len(b.Records))
	recs := make([]rows, len(b.Records))
	for i, r := range b.Records {
		recs[i] = w.rows(r, schema)
		errs[i] = recs[i].err
	}
	var stop error
	for lo := 0; lo < len(b.Records); {
		op := b.Records[lo].Op
		hi := lo + 1
		for hi < len(b.Records) && b.Records[hi].Op == op {
			hi++
		}
		var idx []int // the run's records that have rows to send
		for i := lo; i < hi; i++ {
			if recs[i].err == nil && len(recs[i].data) > 0 {
				idx = append(idx, i)
			}
		}
		lo = hi
		if stop != nil {
			for _, i := range idx {
				errs[i] = stop
			}
			continue
		}
		sent := httpsend.Split(ctx, len(idx), func(ctx context.Context, l, h int) error {
			var data [][]string
			for _, i := range idx[l:h] {
				data = append(data, recs[i].data...)
			}
			return w.send(ctx, op, schema, data)
		})
		for j, i := range idx {
			errs[i] = sent[j]
			var ae *apiError
			if errors.As(sent[j], &ae) && ae.fatal {
				return nil, ae
			}
			if e := sent[j]; e != nil && !connectors.IsRecordError(e) {
				stop = e
			}
		}
	}
	if err := httpsend.Failed(errs); err != nil {
		return nil, err
	}
	return errs, nil
}

// schema is the request schema: the keys of the output's identities.
func (w *writer) schema() []string {
	var s []string
	for _, k := range keyOrder {
		for _, v := range w.types {
			if v == k {
				s = append(s, k)
				break
			}
		}
	}
	return s
}

// rows normalises a record's identities into rows for schema. A remove
// with no identity has nothing to delete (no rows, no error); an add with
// none, or whose every identity is unusable, is a RecordError.
func (w *writer) rows(r connectors.Record, schema []string) rows {
	identities, err := connectors.AudienceIdentities(Kind, r)
	if err != nil {
		return rows{err: err}
	}
	cols := make([][]string, len(schema))
	var bad []string
	seen := 0
	for typ, values := range identities {
		key, ok := w.types[typ]
		if !ok {
			continue
		}
		c := slices.Index(schema, key)
		for _, v := range values {
			seen++
			h, err := adnorm.Meta(key, v)
			if err != nil {
				bad = append(bad, typ+": "+err.Error())
				continue
			}
			if !slices.Contains(cols[c], h) {
				cols[c] = append(cols[c], h)
			}
		}
	}
	n := 0
	for _, c := range cols {
		n = max(n, len(c))
	}
	switch {
	case n == 0 && r.Op == connectors.OpRemove:
		return rows{}
	case n == 0 && seen == 0:
		return rows{err: &connectors.RecordError{Msg: "the profile has none of the output's identities: Meta cannot match it"}}
	case n == 0:
		slices.Sort(bad)
		return rows{err: &connectors.RecordError{Msg: "no identity Meta can use: " + strings.Join(bad, "; ")}}
	}
	data := make([][]string, n)
	for i := range data {
		data[i] = make([]string, len(schema))
		for c := range cols {
			if i < len(cols[c]) {
				data[i][c] = cols[c][i]
			}
		}
	}
	return rows{data: data}
}

// send uploads (add) or deletes (remove) data, in requests of at most
// MaxRows rows that share a session.
func (w *writer) send(ctx context.Context, op string, schema []string, data [][]string) error {
	method := http.MethodPost
	if op == connectors.OpRemove {
		method = http.MethodDelete
	}
	session := rand.Int64N(1<<53) + 1
	for seq, lo := 1, 0; lo < len(data); seq, lo = seq+1, lo+MaxRows {
		hi := min(lo+MaxRows, len(data))
		body, err := json.Marshal(Body{
			Payload: Payload{Schema: schema, Data: data[lo:hi]},
			Session: Session{SessionID: session, BatchSeq: seq, LastBatchFlag: hi == len(data), EstimatedNumTotal: len(data)},
		})
		if err != nil {
			return fmt.Errorf("encode the request: %w", err)
		}
		header := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"mosaic"}, "Authorization": {"Bearer " + w.token}}
		resp, err := w.client.Do(ctx, httpsend.NewRequest(method, w.url, header, body))
		if err != nil {
			return w.classify(err)
		}
		var r Response
		if err := json.Unmarshal(resp.Body, &r); err != nil {
			return fmt.Errorf("%s %s: the answer is not a users response: %w", method, w.url, err)
		}
		if r.NumInvalidEntries > 0 {
			w.invalid += r.NumInvalidEntries
			w.log.Warn("Meta found rows it could not use", "output", w.name, "op", op,
				"num_received", r.NumReceived, "num_invalid_entries", r.NumInvalidEntries)
		}
	}
	return nil
}

// Close releases nothing.
func (w *writer) Close() error { return nil }
