package batch

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scanValues are JSON texts, valid or not, that the scanner must judge as
// encoding/json does.
var scanValues = []string{
	`0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`, `1e5x`, `-01`, `12345678901234567890`,
	`true`, `tru`, `false`, `fals`, `null`, `nul`, `nulls`, `True`,
	`""`, `"a"`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9"`, `"\u00E9"`, `"\u12G4"`, `"\uG234"`, `"\u123"`, `"\x"`, `"\'"`, `"a` + "\x01" + `b"`,
	"\"a\tb\"", `"unterminated`, `"\"`, `"\u12"`,
	`[]`, `[1,2]`, `[1,]`, `[,1]`, `[1 2]`, ` [ 1 , "x" , [ ] , { } ] `, `[`, `]`,
	`{}`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":{"b":[{"c":null}]}}`, `{"\u0061":1}`,
	`{"a":1}}`, `{"a":1}{}`, "{\"a\":\r\n\t1}", `{"a":}`, `{,}`, `{"a":1,"a":2}`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
}

// TestScannerJudgesValuesAsEncodingJSON: the scanner reads a whole text
// exactly when it is valid JSON (or gives up on nesting deeper than it
// follows).
func TestScannerJudgesValuesAsEncodingJSON(t *testing.T) {
	for _, v := range scanValues {
		checkScan(t, v)
	}
}

// FuzzScanner is TestScannerJudgesValuesAsEncodingJSON on any text.
func FuzzScanner(f *testing.F) {
	for _, v := range scanValues {
		f.Add(v)
	}
	f.Fuzz(checkScan)
}

func checkScan(t *testing.T, v string) {
	sc := scanner{s: v}
	read := sc.skip()
	sc.ws()
	read = read && sc.i == len(v)
	if valid := json.Valid([]byte(v)); read != valid && !(valid && strings.Count(v, "[")+strings.Count(v, "{") > maxDepth) {
		t.Errorf("%q: the scanner reads it: %v; encoding/json: valid %v", v, read, valid)
	}
}

// TestOnePassTakes: batches the scanner reads itself (escapes in values,
// a key sent twice in an object, whitespace, unknown fields of any
// shape), and those it leaves to the reference (a key with an escape, a
// field named in another case, a field sent twice, an event that is not
// an object), where the reference's answer would differ or be an error.
func TestOnePassTakes(t *testing.T) {
	takes := []string{
		`{"environment":"production","mpid":1,"user_identities":{"email":"a","email":"b"},"user_attributes":{"b":1,"a":2,"b":[]}}`,
		`{"environment":"production","mpid":1,"user_attributes":{"s":"caf\u00e9\n\"\\\/"},"user_identities":{"email":"\u0041@x"}}`,
		"\t{ \"environment\" : \"production\" ,\r\n \"mpid\" : 1 , \"events\" : [ ] , \"deleted_user_attributes\" : null }\n",
		`{"environment":"production","mpid":1,"x":{"K":[1,{"y":null}],"\u0041":true},"events":[{"event_type":"a","extra":[{}],"data":{"event_name":"b","event_name":"c"}}]}`,
		`{"environment":"production","mpid":1,"user_identities":null,"device_info":{"android_uuid":"u","platform":"Android"},"user_attributes":{}}`,
	}
	for _, line := range takes {
		ref, err := decodeReference([]byte(line), "f:1")
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got, ok := decodeFast(line, "f:1")
		if !ok {
			t.Errorf("%q went to the reference decoder", line)
			continue
		}
		if diff := cmp.Diff(ref, got); diff != "" {
			t.Errorf("%q decodes differently (-reference +one pass):\n%s", line, diff)
		}
	}
	leaves := []string{
		`{"environment":"production","mpid":1,"user_attributes":{"caf\u00e9":1}}`,
		`{"environment":"production","Mpid":1}`,
		"{\"environment\":\"production\",\"mpi\u212a\":2}",
		"{\"environment\":\"production\",\"\u017fource_request_id\":\"x\",\"mpid\":1}",
		`{"environment":"production","mpid":1,"environment":"development"}`,
		`{"environment":"production","mpid":1,"user_attributes":{"a":1},"user_attributes":{"b":2}}`,
		`{"environment":"production","mpid":1,"events":[{"event_type":"a","Event_Type":"b"}]}`,
		`{"environment":"production","mpid":1,"events":[{"event_type":"a"},null]}`,
		`{"environment":"production","mpid":1,"user_identities":["email"]}`,
		`{"environment":"production","mpid":1} x`,
		`{"environment":"production","mpid":1}{}`,
		// encoding/json refuses nesting deeper than 10,000 levels.
		`{"environment":"production","mpid":1,"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	}
	for _, line := range leaves {
		if _, ok := decodeFast(line, "f:1"); ok {
			t.Errorf("%q: the one pass took it", line)
		}
	}
}
