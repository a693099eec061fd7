package batch

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGuideExamples decodes the user-profile guide's two examples
// (testdata/): a profile update without events, and with an
// "Attributes Updated" event.
func TestGuideExamples(t *testing.T) {
	for _, name := range []string{"profile-update.json", "profile-update-with-event.json"} {
		b, err := Decode(read(t, name), "f:1")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff([]Identity{{"customerid", "JohnSmith911"}, {"email", "john.smith@example.com"}}, b.Identities); diff != "" {
			t.Errorf("%s identities (-want +got):\n%s", name, diff)
		}
		if !slices.Contains(b.Attributes, Attribute{"skill_level", "9"}) || !cmp.Equal(b.Deleted, []string{"color_preference"}) {
			t.Errorf("%s: attributes %s, deleted %v", name, b.Attributes, b.Deleted)
		}
		wantEvents := 0
		if strings.Contains(name, "event") {
			wantEvents = 1
		}
		if len(b.Events) != wantEvents || (wantEvents == 1 && (b.Events[0].Name != "Attributes Updated" || b.Events[0].ID != "f:1:0")) {
			t.Errorf("%s: events %+v", name, b.Events)
		}
	}
}

// TestGuideOriginalTextIsRejected: the guide's text has a trailing comma;
// the decoder says where, and does not guess.
func TestGuideOriginalTextIsRejected(t *testing.T) {
	_, err := Decode(read(t, "profile-update-guide-original.txt"), "f:1")
	var be *Error
	if !errors.As(err, &be) || be.Reason != "invalid_json" || !strings.Contains(be.Msg, "(line 8, column 3)") {
		t.Fatalf("err = %v, want invalid_json at line 8, column 3 (the } after the comma)", err)
	}
}

func TestMalformedBatches(t *testing.T) {
	long := strings.Repeat("x", 5000)
	list := `["` + strings.Repeat(`a","`, 1000) + `a"]`
	cases := []struct{ want, line string }{
		{"batch_too_large", `{"environment":"production","user_attributes":{"a":"` + strings.Repeat("x", MaxBatchBytes) + `"}}`},
		{"invalid_utf8", "{\"environment\":\"production\",\"user_attributes\":{\"a\":\"\xff\"}}"},
		{"not_an_object", `[{"environment":"production"}]`},
		{"invalid_json", `{"environment":"production",}`},
		{"missing_environment", `{"user_identities":{"email":"a@x.com"}}`},
		{"invalid_environment", `{"environment":"staging"}`},
		{"unknown_identity_type", `{"environment":"production","user_identities":{"emial":"a@x.com"}}`},
		{"invalid_identity_value", `{"environment":"production","user_identities":{"email":42}}`},
		{"conflicting_identities", `{"environment":"production","user_identities":{"customer_id":"a","customerid":"b"}}`},
		{"attribute_key_too_long", `{"environment":"production","user_attributes":{"` + strings.Repeat("k", 300) + `":1}}`},
		{"invalid_attribute_value", `{"environment":"production","user_attributes":{"a":{"b":1}}}`},
		{"attribute_list_too_long", `{"environment":"production","user_attributes":{"a":` + list + `}}`},
		{"attribute_value_too_long", `{"environment":"production","user_attributes":{"a":"` + long + `"}}`},
		{"invalid_deleted_attribute", `{"environment":"production","deleted_user_attributes":[7]}`},
		{"invalid_mpid", `{"environment":"production","mpid":"12ab"}`},
		{"invalid_mpid", `{"environment":"production","mpid":"+5"}`}, // a JSON integer in quotes: no plus sign
		{"invalid_timestamp", `{"environment":"production","timestamp_unixtime_ms":-5}`},
		{"invalid_timestamp", `{"environment":"production","timestamp_unixtime_ms":"+5"}`},
		{"invalid_events", `{"environment":"production","events":[{"data":{}}]}`},
		{"invalid_field", `{"environment":"production","user_identities":["email"]}`},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.line), "f:1")
		var be *Error
		if !errors.As(err, &be) || be.Reason != c.want {
			t.Errorf("%s: err = %v", c.want, err)
		}
	}
}

func TestBatchTimeAndDevices(t *testing.T) {
	line := `{"environment":"development","mpid":"-42","batch_id":7,"device_info":{"ios_advertising_id":"IDFA-1","platform":"iOS"},
		"events":[{"event_type":"custom_event","data":{"event_name":"a","timestamp_unixtime_ms":1000}},
		          {"event_type":"screen_view","data":{"timestamp_unixtime_ms":3000,"source_message_id":"m-2","custom_attributes":{"x":1}}}],
		"unknown_field":{"kept":true}}`
	b, err := Decode([]byte(line), "f:1")
	if err != nil {
		t.Fatal(err)
	}
	if b.MPID != -42 || b.BatchID != "7" || b.Identity("ios_idfa") != "IDFA-1" || len(b.Identities) != 1 {
		t.Errorf("batch: %+v", b)
	}
	if !b.Time.Equal(time.UnixMilli(3000)) {
		t.Errorf("batch time %v, want its latest event's", b.Time)
	}
	if b.Events[0].ID != "7:0" || b.Events[1].ID != "m-2" || b.Events[1].Name != "screen_view" || string(b.Events[1].Attributes) != `{"x":1}` {
		t.Errorf("events: %+v", b.Events)
	}
}

// FuzzDecode: no input crashes the decoder, and what it accepts holds to
// the limits it promises.
func FuzzDecode(f *testing.F) {
	f.Add(read(f, "profile-update.json"))
	f.Add(read(f, "profile-update-with-event.json"))
	f.Add([]byte(`{"environment":"production","events":[{"event_type":"x","data":{"custom_attributes":{"a":[1]}}}],"mpid":1}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		b, err := Decode(line, "f:1")
		if err != nil {
			var be *Error
			if !errors.As(err, &be) || be.Reason == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		for i, id := range b.Identities {
			if id.Type == "" || !utf8.ValidString(id.Value) || (i > 0 && b.Identities[i-1].Type >= id.Type) {
				t.Fatalf("accepted identities %q", b.Identities)
			}
		}
		for i, a := range b.Attributes {
			if a.Key == "" || len(a.Key) > MaxKeyLength || !json.Valid([]byte(a.Value)) || (i > 0 && b.Attributes[i-1].Key >= a.Key) {
				t.Fatalf("accepted attributes %q", b.Attributes)
			}
		}
		for _, e := range b.Events {
			if e.ID == "" || e.Type == "" || !json.Valid([]byte(e.Attributes)) {
				t.Fatalf("accepted event %+v", e)
			}
		}
	})
}

// FuzzDecodeMatchesReference: whatever the one-pass decoder accepts, the
// reference decoder accepts too, with the same batch; what it refuses goes
// to the reference, so Decode and decodeReference always agree.
func FuzzDecodeMatchesReference(f *testing.F) {
	f.Add(read(f, "profile-update.json"))
	f.Add(read(f, "profile-update-with-event.json"))
	for _, line := range []string{
		`{"environment":"production","Events":[{"event_type":"x"}],"user_identities":{"email":"a@x.com"}}`,
		`{"Environment":"production","mpid":1}`,
		`{"environment":"production","mpid":1,"mpid":2,"user_attributes":{"a":1,"a":[null,"b"]}}`,
		`{"environment":"production","mpid":1e3}`,
		`{"environment":"production","mpid":"9223372036854775808"}`,
		"{\"environment\":\"production\",\"mpid\":1,\"user_identities\":{\"email\":\"a\tb\"}}",
		`{"environment":"production","mpid":1,"user_identities":{"email":"a\u0000b\ud800"}}`,
		`{"environment":"production","mpid":1,"user_identities":{"email":"a\xb"}}`,
		`{"environment":"production","mpid":1,"events":{}}`,
		`{"environment":"production","mpid":1,"events":[null,{"event_type":"a"}]}`,
		`{"environment":"production","mpid":1,"events":[{"event_type":"a","data":{"EVENT_NAME":"b","event_name":null,"custom_attributes":[]}}]}`,
		`{"environment":"production","mpid":1,"events":[{"event_type":"a","data":{"custom_attributes":{"k": [1, {"x" : 2}]}}}]}`,
		`{"environment":"production","mpid":1,"device_info":{"push_token":"p","ios_idfv":null},"deleted_user_attributes":["a",null]} x`,
		`  {"environment":"development","batch_id":12,"user_attributes":{"n": 1.50 , "s":"\u00e9"}}  `,
		`null`, `[]`, `"x"`, `{}`,
		// What the one pass reads itself or leaves to the reference (scan.go).
		`{"environment":"production","mpid":1,"user_identities":{"email":"a","email":"b"},"user_attributes":{"b":1,"a":2,"b":[]}}`,
		`{"environment":"production","mpid":1,"user_attributes":{"caf\u00e9":1}}`,
		`{"environment":"production","mpid":1,"user_attributes":{"s":"caf\u00e9\n\"\\\/"}}`,
		"{\"environment\":\"production\",\"mpid\":1,\"\u212aey\":1,\"mpi\u212a\":2}",
		"{\"environment\":\"production\",\"\u017fource_request_id\":\"x\",\"mpid\":1}",
		`{"environment":"production","mpid":1,"environment":"development"}`,
		`{"environment":"production","mpid":1,"x":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}`,
		`{"environment":"production","mpid":-0.5e+7,"batch_id":"1","timestamp_unixtime_ms":0}`,
		`{"environment":"production","mpid":1,"x":[-,1.,1e,01,tru,nul]}`,
		`{"environment":"production","mpid":1,"x":"\x","y":"\u12G4"}`,
		"{\"environment\":\"production\",\"mpid\":1,\"x\":\"a\x01b\"}",
		`{"environment":"production","mpid":1,"events":[{"event_type":"a","data":{"event_name":"b","event_name":"c"}},{"event_type":"d","event_type":"e"}]}`,
		`{"environment":"production","mpid":1,"events":[{"event_type":null,"data":null}]}`,
		`{"environment":"production","mpid":1,"events":[{"event_type":"a","data":{"custom_attributes":{"k":1},"timestamp_unixtime_ms":"5"}}],}`,
		"\t{ \"environment\" : \"production\" ,\r\n \"mpid\" : 1 , \"events\" : [ ] , \"deleted_user_attributes\" : null }\n",
		`{"environment":"production","mpid":1,"user_identities":null,"device_info":{"android_uuid":"u"},"user_attributes":{}}`,
	} {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ref, refErr := decodeReference(line, "f:1")
		got, ok := decodeFast(string(line), "f:1")
		if !ok {
			return
		}
		if refErr != nil {
			t.Fatalf("the one-pass decoder accepts %q; the reference refuses it: %v", line, refErr)
		}
		if diff := cmp.Diff(ref, got); diff != "" {
			t.Fatalf("%q decodes differently (-reference +one pass):\n%s", line, diff)
		}
	})
}

// TestValidBatchesTakeTheOnePass: a valid batch is not decoded twice.
func TestValidBatchesTakeTheOnePass(t *testing.T) {
	for _, name := range []string{"profile-update.json", "profile-update-with-event.json"} {
		if _, ok := decodeFast(string(read(t, name)), "f:1"); !ok {
			t.Errorf("%s went to the reference decoder", name)
		}
	}
}
