package tradedesk

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/connectors/uid2"
)

// Body is a data request's body.
type Body struct {
	AdvertiserID string `json:"AdvertiserId"`
	Items        []Item `json:"Items"`
}

// Item is one UID2's segment data.
type Item struct {
	UID2 string `json:"UID2"`
	Data []Data `json:"Data"`
}

// Data is a membership: TTLInMinutes 0 removes it.
type Data struct {
	Name         string `json:"Name"`
	TTLInMinutes int    `json:"TTLInMinutes"`
}

// Response is a 200 answer: the items TTD could not take.
type Response struct {
	FailedLines []FailedLine `json:"FailedLines"`
}

// FailedLine is one item TTD refused.
type FailedLine struct {
	ErrorCode  string          `json:"ErrorCode"`
	Message    string          `json:"Message"`
	ItemNumber json.RawMessage `json:"ItemNumber"`
}

// Sign returns the TtdSignature of body: base64 of its HMAC-SHA1 under
// the advertiser's secret key.
func Sign(body, secret []byte) string {
	m := hmac.New(sha1.New, secret)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type writer struct {
	name, url, advertiser, segment string
	ttl                            int // minutes
	secret                         []byte
	kinds                          map[string]string // identity type → UID2 kind
	uid2                           *uid2.Client
	client                         *httpsend.Client
	// cache holds the mappings this writer read or made, by kind + ":" +
	// hash.
	cache map[string]uid2.Mapping
	// state keeps mappings between syncs (mappings.go); nil when the
	// writer was opened without one. checked is set once the writer has
	// asked UID2 which buckets rotated.
	state   connectors.OutputState
	checked bool
}

// ident is one identity of a record, hashed for UID2.
type ident struct{ typ, kind, hash string }

// Write maps the batch's identities to UID2s, then sends runs of one
// operation in order, each halved as package httpsend's Split does when
// TTD refuses it.
func (w *writer) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	errs := make([]error, len(b.Records))
	ids := make([][]ident, len(b.Records))
	bad := make([][]string, len(b.Records)) // identities adnorm refused
	for i, r := range b.Records {
		ids[i], bad[i], errs[i] = w.identities(r)
	}
	if err := w.mapAll(ctx, ids); err != nil {
		return nil, fmt.Errorf("map identities to UID2s: %w", err)
	}
	uids := make([][]string, len(b.Records))
	for i, r := range b.Records {
		if errs[i] == nil {
			uids[i], errs[i] = w.uid2s(r.Op, ids[i], bad[i])
		}
	}
	var stop error
	for lo := 0; lo < len(b.Records); {
		op := b.Records[lo].Op
		hi := lo + 1
		for hi < len(b.Records) && b.Records[hi].Op == op {
			hi++
		}
		var idx []int // the run's records with UID2s to send
		for i := lo; i < hi; i++ {
			if errs[i] == nil && len(uids[i]) > 0 {
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
		failed := map[int]error{} // FailedLines, by record
		sent := httpsend.Split(ctx, len(idx), func(ctx context.Context, l, h int) error {
			return w.send(ctx, op, idx[l:h], uids, failed)
		})
		for j, i := range idx {
			errs[i] = sent[j]
			if sent[j] == nil && failed[i] != nil {
				errs[i] = failed[i]
			}
			var fe *fatalError
			if errors.As(sent[j], &fe) {
				return nil, fe.err
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

// identities hashes a record's identities for UID2. A remove with none
// has nothing to remove; an add with none usable is a RecordError.
func (w *writer) identities(r connectors.Record) ([]ident, []string, error) {
	identities, err := connectors.AudienceIdentities(Kind, r)
	if err != nil {
		return nil, nil, err
	}
	var out []ident
	var bad []string
	seen := 0
	for typ, values := range identities {
		kind, ok := w.kinds[typ]
		if !ok {
			continue
		}
		for _, v := range values {
			seen++
			h, err := adnorm.UID2(kind, v)
			if err != nil {
				bad = append(bad, typ+": "+err.Error())
				continue
			}
			out = append(out, ident{typ, kind, h})
		}
	}
	switch {
	case len(out) > 0 || r.Op == connectors.OpRemove:
		return out, bad, nil
	case seen == 0:
		return nil, nil, &connectors.RecordError{Msg: "the profile has none of the output's identities: UID2 cannot map it"}
	}
	slices.Sort(bad)
	return nil, nil, &connectors.RecordError{Msg: "no identity UID2 can map: " + strings.Join(bad, "; ")}
}

// uid2s returns a record's UID2s. An add none of whose identities maps is
// a RecordError naming UID2's reasons (and bad, the identities that could
// not be normalised); a remove with none sends nothing.
func (w *writer) uid2s(op string, ids []ident, bad []string) ([]string, error) {
	var out []string
	why := slices.Clone(bad)
	for _, id := range ids {
		m := w.cache[id.kind+":"+id.hash]
		if m.UID2 == "" {
			why = append(why, fmt.Sprintf("%s: %s", id.typ, reason(m.Reason)))
		} else if !slices.Contains(out, m.UID2) {
			out = append(out, m.UID2)
		}
	}
	if len(out) == 0 && op == connectors.OpAdd {
		slices.Sort(why)
		return nil, &connectors.RecordError{Msg: "no identity maps to a UID2: " + strings.Join(slices.Compact(why), "; ")}
	}
	return out, nil
}

func reason(r string) string {
	switch r {
	case uid2.ReasonOptOut:
		return "opted out of UID2 (optout)"
	case uid2.ReasonInvalid:
		return "UID2 found the identifier invalid"
	}
	return r
}

// fatalError fails the output: a refusal no record causes (401, 403).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

// send posts the UID2s of records recs (indexes into uids), recording in
// failed the records TTD's FailedLines name.
func (w *writer) send(ctx context.Context, op string, recs []int, uids [][]string, failed map[int]error) error {
	ttl := w.ttl
	if op == connectors.OpRemove {
		ttl = 0
	}
	var items []Item
	var owner []int // owner[k] is the record of item k
	for _, i := range recs {
		for _, u := range uids[i] {
			items = append(items, Item{UID2: u, Data: []Data{{Name: w.segment, TTLInMinutes: ttl}}})
			owner = append(owner, i)
		}
	}
	for lo := 0; lo < len(items); lo += MaxItems {
		hi := min(lo+MaxItems, len(items))
		body, err := json.Marshal(Body{AdvertiserID: w.advertiser, Items: items[lo:hi]})
		if err != nil {
			return fmt.Errorf("encode the data request: %w", err)
		}
		header := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"mosaic"}, "TtdSignature": {Sign(body, w.secret)}}
		resp, err := w.client.Do(ctx, httpsend.NewRequest(http.MethodPost, w.url, header, body))
		if err != nil {
			var se *httpsend.StatusError
			if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
				return &fatalError{fmt.Errorf("%w: check advertiser_id and the secret key in ttd_secret_env (Advertiser Preferences, Seat Identifiers & Keys)", err)}
			}
			return err
		}
		var r Response
		if len(strings.TrimSpace(string(resp.Body))) > 0 {
			if err := json.Unmarshal(resp.Body, &r); err != nil {
				return fmt.Errorf("POST %s: the answer is not a data response: %w", w.url, err)
			}
		}
		for _, i := range owner[lo:hi] {
			delete(failed, i) // from an earlier, halved attempt
		}
		for _, fl := range r.FailedLines {
			n, ok := itemNumber(fl.ItemNumber)
			if !ok || n < 1 || n > hi-lo {
				// A line we cannot place: refuse the request's records so
				// that Split isolates the one it was.
				return &connectors.RecordError{Msg: fmt.Sprintf("The Trade Desk refused an item it did not number (%s: %s)", fl.ErrorCode, fl.Message)}
			}
			failed[owner[lo+n-1]] = &connectors.RecordError{Msg: fmt.Sprintf("The Trade Desk refused the profile's UID2 for segment %s: %s: %s", w.segment, fl.ErrorCode, fl.Message)}
		}
	}
	return nil
}

// itemNumber reads a FailedLine's ItemNumber, a number or a string of one.
func itemNumber(raw json.RawMessage) (int, bool) {
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// Close releases nothing.
func (w *writer) Close() error { return nil }
