package google

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
)

// The Data Manager API's request shapes (the parts mosaic sends).
type (
	account struct {
		AccountType string `json:"accountType"`
		AccountID   string `json:"accountId"`
	}
	destination struct {
		OperatingAccount     account  `json:"operatingAccount"`
		LoginAccount         *account `json:"loginAccount,omitempty"`
		ProductDestinationID string   `json:"productDestinationId"`
	}
	consent struct {
		AdUserData        string `json:"adUserData,omitempty"`
		AdPersonalization string `json:"adPersonalization,omitempty"`
	}
	// Identifier is one user identifier: exactly one field set.
	Identifier struct {
		EmailAddress string `json:"emailAddress,omitempty"`
		PhoneNumber  string `json:"phoneNumber,omitempty"`
	}
	userData struct {
		UserIdentifiers []Identifier `json:"userIdentifiers"`
	}
	member struct {
		UserData userData `json:"userData"`
	}
	request struct {
		Destinations    []destination `json:"destinations"`
		AudienceMembers []member      `json:"audienceMembers"`
		Consent         *consent      `json:"consent,omitempty"`
		Encoding        string        `json:"encoding"`
		// ValidateOnly asks the API to check the request and apply
		// nothing: it answers only errors.
		ValidateOnly bool `json:"validateOnly,omitempty"`
	}
)

type writer struct {
	name, base string
	dest       destination
	consent    *consent
	// kinds maps the output's identity types to adnorm kinds.
	kinds  map[string]string
	client *httpsend.Client
	// validateOnly makes every request a check (OpenValidate).
	validateOnly bool
}

// Write sends the batch's records in runs of one op (removes come first),
// each run through httpsend's Split; a send isolates the members a 400's
// field violations name and sends the rest again.
func (w *writer) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	errs := make([]error, len(b.Records))
	members := make([][]Identifier, len(b.Records))
	for i, r := range b.Records {
		members[i], errs[i] = w.member(r)
	}
	var stop error
	for lo := 0; lo < len(b.Records); {
		op := b.Records[lo].Op
		hi := lo + 1
		for hi < len(b.Records) && b.Records[hi].Op == op {
			hi++
		}
		var idx []int
		for i := lo; i < hi; i++ {
			if errs[i] == nil && len(members[i]) > 0 {
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
		refused := map[int]error{} // record → its field violations
		sent := httpsend.Split(ctx, len(idx), func(ctx context.Context, l, h int) error {
			return w.send(ctx, op, idx[l:h], members, refused)
		})
		for j, i := range idx {
			errs[i] = sent[j]
			if e, ok := refused[i]; ok {
				errs[i] = e
			} else if e := sent[j]; e != nil && !connectors.IsRecordError(e) {
				stop = e
			}
		}
	}
	if err := httpsend.Failed(errs); err != nil {
		return nil, err
	}
	return errs, nil
}

// member normalises a record's identities: at most MaxIdentifiers,
// e-mails first. A remove without one has nothing to remove; an add
// without one, or whose every identity is unusable, is a RecordError.
func (w *writer) member(r connectors.Record) ([]Identifier, error) {
	identities, err := connectors.AudienceIdentities(Kind, r)
	if err != nil {
		return nil, err
	}
	var ids []Identifier
	var bad []string
	seen := map[Identifier]bool{}
	types := make([]string, 0, len(identities))
	for t := range identities {
		types = append(types, t)
	}
	slices.Sort(types) // e-mails first, then phones by type
	if i := slices.Index(types, "email"); i > 0 {
		types = append([]string{"email"}, slices.Delete(types, i, i+1)...)
	}
	n := 0
	for _, t := range types {
		kind, ok := w.kinds[t]
		if !ok {
			continue
		}
		for _, v := range identities[t] {
			n++
			h, err := adnorm.Google(kind, v)
			if err != nil {
				bad = append(bad, t+": "+err.Error())
				continue
			}
			id := Identifier{EmailAddress: h}
			if kind == adnorm.GoogleKindPhone {
				id = Identifier{PhoneNumber: h}
			}
			if !seen[id] && len(ids) < MaxIdentifiers {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	switch {
	case len(ids) == 0 && r.Op == connectors.OpRemove:
		return nil, nil
	case len(ids) == 0 && n == 0:
		return nil, &connectors.RecordError{Msg: "the profile has none of the output's identities: Customer Match cannot match it"}
	case len(ids) == 0:
		slices.Sort(bad)
		return nil, &connectors.RecordError{Msg: "no identity Customer Match can use: " + strings.Join(bad, "; ")}
	}
	return ids, nil
}

// send ingests (add) or removes (remove) the members of records idx, in
// requests of at most MaxMembers. A 400 whose field violations name
// members puts their records in refused and sends the others again.
func (w *writer) send(ctx context.Context, op string, idx []int, members [][]Identifier, refused map[int]error) error {
	url := w.base + ":ingest"
	if op == connectors.OpRemove {
		url = w.base + ":remove"
	}
	pending := slices.Clone(idx)
	for len(pending) > 0 {
		chunk := pending[:min(MaxMembers, len(pending))]
		req := request{Destinations: []destination{w.dest}, Encoding: "HEX", ValidateOnly: w.validateOnly}
		if op == connectors.OpAdd {
			req.Consent = w.consent
		}
		for _, i := range chunk {
			req.AudienceMembers = append(req.AudienceMembers, member{UserData: userData{UserIdentifiers: members[i]}})
		}
		body, err := json.Marshal(req)
		if err != nil {
			return fmt.Errorf("encode the request: %w", err)
		}
		header := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"mosaic"}}
		_, err = w.client.Do(ctx, httpsend.NewRequest(http.MethodPost, url, header, body))
		if err == nil {
			pending = pending[len(chunk):]
			continue
		}
		v := violations(err)
		if len(v) == 0 {
			return err
		}
		named := 0
		for j, msg := range v {
			if j < len(chunk) {
				refused[chunk[j]] = &connectors.RecordError{Status: http.StatusBadRequest, Msg: "refused by the Data Manager API: " + msg}
				named++
			}
		}
		if named == 0 {
			return err
		}
		pending = slices.DeleteFunc(pending, func(i int) bool { _, r := refused[i]; return r })
	}
	return nil
}

// memberRE finds the member index in a field violation's path, e.g.
// audience_members[3].user_data.user_identifiers[0].
var memberRE = regexp.MustCompile(`(?i)audience_?members\[(\d+)\]`)

// violations reads a 400's google.rpc.BadRequest field violations that
// name audience members: member index → "REASON: description (field)".
func violations(err error) map[int]string {
	var se *httpsend.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		return nil
	}
	var body struct {
		Error struct {
			Details []struct {
				FieldViolations []struct {
					Field       string `json:"field"`
					Description string `json:"description"`
					Reason      string `json:"reason"`
				} `json:"fieldViolations"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(se.Body, &body) != nil {
		return nil
	}
	out := map[int]string{}
	for _, d := range body.Error.Details {
		for _, fv := range d.FieldViolations {
			m := memberRE.FindStringSubmatch(fv.Field)
			if m == nil {
				continue
			}
			j, _ := strconv.Atoi(m[1])
			msg := strings.TrimPrefix(fv.Reason+": "+fv.Description, ": ") + " (" + fv.Field + ")"
			if prev, ok := out[j]; ok {
				msg = prev + "; " + msg
			}
			out[j] = msg
		}
	}
	return out
}

// Close releases nothing.
func (w *writer) Close() error { return nil }
