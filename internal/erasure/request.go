package erasure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Request is a valid erasure request, as kept until it is carried out.
type Request struct {
	ID         string // subject_request_id, lower-case
	Regulation string
	Submitted  time.Time
	Block      bool
	Identities []Identity
}

// Identity is one identity of a request's data subject.
type Identity struct {
	Sent  string // the type as the request spelled it
	Type  string // as stored (config.IdentityTypes), or "mpid"
	Value string // normalised as staging normalises it
}

// MaxIdentities bounds the identities of one request.
const MaxIdentities = 100

// openDSRTypes maps OpenDSR's identity types, and those mParticle's DSR
// API takes in its extension, to the stored ones. A type of mosaic's own
// (config.CanonicalIdentityType) is taken too.
var openDSRTypes = map[string]string{
	"controller_customer_id": "customerid", "email": "email",
	"android_advertising_id": "android_aaid", "android_id": "android_uuid",
	"fire_advertising_id": "fire_aid", "ios_advertising_id": "ios_idfa", "ios_vendor_id": "ios_idfv",
	"microsoft_advertising_id": "microsoft_aid", "microsoft_publisher_id": "microsoft_publisher_id",
	"roku_advertising_id": "roku_aid", "roku_publisher_id": "roku_publisher_id", "roku_publishing_id": "roku_publisher_id",
	"mpid": "mpid", "other": "other", "other2": "other_id_2", "other3": "other_id_3", "other4": "other_id_4",
	"other5": "other_id_5", "other6": "other_id_6", "other7": "other_id_7", "other8": "other_id_8",
	"other9": "other_id_9", "other10": "other_id_10",
	"mobile_number": "mobile_number", "phone_number_2": "phone_number_2", "phone_number_3": "phone_number_3",
}

// mparticleDomain is the key of mParticle's own extension, whose
// subject_identities are taken with the request's.
const mparticleDomain = "opendsr.mparticle.com"

// body is the JSON of an OpenDSR request.
type body struct {
	Regulation         string                     `json:"regulation"`
	SubjectRequestID   string                     `json:"subject_request_id"`
	SubjectRequestType string                     `json:"subject_request_type"`
	SubmittedTime      string                     `json:"submitted_time"`
	SubjectIdentities  json.RawMessage            `json:"subject_identities"`
	StatusCallbackURLs []string                   `json:"status_callback_urls"`
	Extensions         map[string]json.RawMessage `json:"extensions"`
}

// mosaicExtension is extensions.mosaic.
type mosaicExtension struct {
	Block bool `json:"block"`
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Decode checks an OpenDSR request's JSON and returns it as a Request,
// its identities normalised by id (the pipeline's identity rules). An
// error says what is wrong and how to fix it, and names no identity's
// value.
func Decode(data []byte, id config.Identity) (Request, error) {
	var b body
	if err := json.Unmarshal(data, &b); err != nil {
		return Request{}, fmt.Errorf("the body is not an OpenDSR request: %v; send a JSON object with subject_request_id, subject_request_type, regulation, submitted_time and subject_identities", err)
	}
	var req Request
	switch b.SubjectRequestType {
	case "erasure":
	case "":
		return req, fmt.Errorf(`subject_request_type is missing: send "erasure"`)
	default:
		return req, fmt.Errorf(`subject_request_type %q is not served: mosaic serve takes "erasure" requests only`, b.SubjectRequestType)
	}
	req.ID = strings.ToLower(b.SubjectRequestID)
	if !uuidPattern.MatchString(req.ID) {
		if b.SubjectRequestID == "" {
			return req, fmt.Errorf("subject_request_id is missing: send a new UUID v4 for each request, such as a7551968-d5d6-44b2-9831-815ac9017798")
		}
		return req, fmt.Errorf("subject_request_id %q is not a UUID: send a new UUID v4 for each request, such as a7551968-d5d6-44b2-9831-815ac9017798", b.SubjectRequestID)
	}
	switch req.Regulation = b.Regulation; req.Regulation {
	case "gdpr", "ccpa":
	case "":
		return req, fmt.Errorf(`regulation is missing: send "gdpr" or "ccpa"`)
	default:
		return req, fmt.Errorf(`regulation %q is not known: send "gdpr" or "ccpa"`, b.Regulation)
	}
	t, err := time.Parse(time.RFC3339Nano, b.SubmittedTime)
	if err != nil {
		if b.SubmittedTime == "" {
			return req, fmt.Errorf("submitted_time is missing: send when the data subject made the request, as RFC 3339 (2026-06-01T15:00:00Z)")
		}
		return req, fmt.Errorf("submitted_time %q is not an RFC 3339 time: write it like 2026-06-01T15:00:00Z", b.SubmittedTime)
	}
	req.Submitted = t.UTC()
	if len(b.StatusCallbackURLs) > 0 {
		return req, fmt.Errorf("status_callback_urls: mosaic serve sends no callbacks; leave them out and ask GET /opendsr/v3/requests/%s for the status", req.ID)
	}
	if req.Identities, err = identities("subject_identities", b.SubjectIdentities, id); err != nil {
		return req, err
	}
	for domain, raw := range b.Extensions {
		switch domain {
		case "mosaic":
			var ext mosaicExtension
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ext); err != nil {
				return req, fmt.Errorf(`extensions.mosaic: %v; it takes {"block": true} alone`, err)
			}
			req.Block = ext.Block
		case mparticleDomain:
			var ext struct {
				SubjectIdentities json.RawMessage `json:"subject_identities"`
			}
			if err := json.Unmarshal(raw, &ext); err != nil {
				return req, fmt.Errorf("extensions.%s: %v", domain, err)
			}
			more, err := identities("extensions."+domain+".subject_identities", ext.SubjectIdentities, id)
			if err != nil {
				return req, err
			}
			req.Identities = append(req.Identities, more...)
		}
		// Another processor's extension is not for mosaic.
	}
	switch n := len(req.Identities); {
	case n == 0:
		return req, fmt.Errorf(`subject_identities is empty: name the data subject by at least one identity, such as {"email": {"value": "ada@example.com", "encoding": "raw"}}`)
	case n > MaxIdentities:
		return req, fmt.Errorf("subject_identities: %d identities, more than %d: split them into several requests", n, MaxIdentities)
	}
	return req, nil
}

// identities reads subject_identities in either of its shapes: OpenDSR's
// list of {identity_type, identity_value, identity_format}, or the
// object mParticle's DSR API v3 takes, {TYPE: {value, encoding}}, in its
// order. field names it in errors.
func identities(field string, raw json.RawMessage, id config.Identity) ([]Identity, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var out []Identity
	add := func(where, typ, value, format string) error {
		stored, ok := openDSRTypes[typ]
		if !ok {
			stored, ok = config.CanonicalIdentityType(typ)
		}
		if !ok {
			return fmt.Errorf("%s: identity type %q is not known: use one of %s, or a type as mosaic stores it (customerid, other_id_2, …)", where, typ, strings.Join(knownTypes(), ", "))
		}
		if format != "" && format != "raw" {
			return fmt.Errorf("%s: %q values are not matched: send the value itself, with encoding (or identity_format) \"raw\"", where, format)
		}
		if stored == "mpid" {
			if _, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err != nil {
				return fmt.Errorf("%s: an mpid is a 64-bit integer, written as text", where)
			}
			value = strings.TrimSpace(value)
		} else {
			value = id.Normalize(stored, value)
		}
		if value == "" {
			return fmt.Errorf("%s: the value is empty", where)
		}
		out = append(out, Identity{Sent: typ, Type: stored, Value: value})
		return nil
	}
	switch raw[0] {
	case '[':
		var list []struct {
			Type   string `json:"identity_type"`
			Value  string `json:"identity_value"`
			Format string `json:"identity_format"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("%s: %v; send a list of {\"identity_type\", \"identity_value\", \"identity_format\": \"raw\"}", field, err)
		}
		for i, e := range list {
			if err := add(fmt.Sprintf("%s[%d]", field, i), e.Type, e.Value, e.Format); err != nil {
				return nil, err
			}
		}
	case '{':
		keys, values, err := inOrder(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", field, err)
		}
		for i, typ := range keys {
			var e struct {
				Value    string `json:"value"`
				Encoding string `json:"encoding"`
			}
			if err := json.Unmarshal(values[i], &e); err != nil {
				return nil, fmt.Errorf("%s.%s: %v; send {\"value\": \"...\", \"encoding\": \"raw\"}", field, typ, err)
			}
			if err := add(field+"."+typ, typ, e.Value, e.Encoding); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf(`%s is neither a list nor an object: send {"email": {"value": "ada@example.com", "encoding": "raw"}}`, field)
	}
	return out, nil
}

// inOrder returns a JSON object's keys and values in the order written.
func inOrder(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, err
	}
	var keys []string
	var values []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, values = append(keys, tok.(string)), append(values, v)
	}
	return keys, values, nil
}

// knownTypes lists the OpenDSR identity types taken, sorted.
func knownTypes() []string {
	var out []string
	for t := range openDSRTypes {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
