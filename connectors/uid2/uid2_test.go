package uid2

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mosaic-cdp/mosaic/connectors/adnorm"
	"github.com/mosaic-cdp/mosaic/connectors/httpsend"
	"github.com/mosaic-cdp/mosaic/connectors/uid2/uid2test"
)

const apiKey = "UID2-C-L-999-test-KEY"

var secretB64 = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789ABCDEF"))

func secret(t *testing.T) []byte {
	k, err := ParseSecret(secretB64)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fastOptions() httpsend.Options {
	return httpsend.Options{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond, MaxTries: 4,
		Secrets: []string{apiKey, secretB64}}
}

// TestEnvelopeRoundTrip encrypts with EncryptRequest, opens with the test
// server's own code, and decrypts the server's sealed answer.
func TestEnvelopeRoundTrip(t *testing.T) {
	s := uid2test.New(t, apiKey, secret(t))
	nonce := Nonce{1, 2, 3, 4, 5, 6, 7, 8}
	env, err := EncryptRequest(secret(t), time.Now(), nonce, []byte(`{"email_hash":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(env)
	if raw[0] != 1 || len(raw) != 1+IVSize+TimestampSize+NonceSize+len(`{"email_hash":["x"]}`)+TagSize {
		t.Fatalf("envelope layout: version %d, %d bytes", raw[0], len(raw))
	}
	gotNonce, payload, msg := s.Open([]byte(env))
	if msg != "" || string(gotNonce) != string(nonce[:]) || string(payload) != `{"email_hash":["x"]}` {
		t.Fatalf("server opened: nonce %x payload %q refusal %q", gotNonce, payload, msg)
	}
	answer := s.Seal(nonce[:], []byte(`{"status":"success"}`))
	js, err := DecryptResponse(secret(t), []byte(answer), nonce)
	if err != nil || string(js) != `{"status":"success"}` {
		t.Fatalf("DecryptResponse: %q, %v", js, err)
	}
	if _, err := DecryptResponse(secret(t), []byte(answer), Nonce{9}); err == nil || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("an answer with another nonce: %v", err)
	}
	other := []byte("ffffffffffffffffffffffffffffffff")
	if _, err := DecryptResponse(other, []byte(answer), nonce); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Errorf("an answer under another secret: %v", err)
	}
}

// TestServerRefusesBadEnvelopes: a flipped tag bit, a stale timestamp and
// a wrong version byte are refused.
func TestServerRefusesBadEnvelopes(t *testing.T) {
	s := uid2test.New(t, apiKey, secret(t))
	good := func(now time.Time) []byte {
		env, err := EncryptRequest(secret(t), now, Nonce{}, []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(env)
		return raw
	}
	enc := func(b []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b)) }
	tag := good(time.Now())
	tag[len(tag)-1] ^= 1
	version := good(time.Now())
	version[0] = 2
	for name, tc := range map[string]struct {
		body []byte
		want string
	}{
		"bad tag":         {enc(tag), "bad tag"},
		"stale timestamp": {enc(good(time.Now().Add(-2 * uid2test.MaxSkew))), "timestamp"},
		"wrong version":   {enc(version), "version"},
		"not base64":      {[]byte("!!"), "base64"},
	} {
		if _, _, msg := s.Open(tc.body); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: the server said %q, want …%s…", name, msg, tc.want)
		}
	}
}

func TestParseSecret(t *testing.T) {
	if _, err := ParseSecret("not base64!"); err == nil || strings.Contains(err.Error(), "not base64!") {
		t.Errorf("a non-base64 secret: %v (it must not echo the value)", err)
	}
	if _, err := ParseSecret(base64.StdEncoding.EncodeToString([]byte("short"))); err == nil || !strings.Contains(err.Error(), "5 bytes") {
		t.Errorf("a short secret: %v", err)
	}
}

// TestMapOptOutsAndChunks maps 5,003 e-mails (two requests, one after the
// other), two of them opted out and one not a hash.
func TestMapOptOutsAndChunks(t *testing.T) {
	s := uid2test.New(t, apiKey, secret(t))
	var hashes []string
	for i := range MaxIdentities + 3 {
		h, err := adnorm.UID2(adnorm.UID2KindEmail, fmt.Sprintf("user%d@example.com", i))
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	s.OptOut(hashes[7], hashes[MaxIdentities+1])
	hashes = append(hashes, "not-a-hash")
	c := NewClient(s.URL, apiKey, secret(t), fastOptions())
	got, err := c.Map(context.Background(), KindEmail, hashes)
	if err != nil {
		t.Fatal(err)
	}
	if reqs := s.Requests(); len(reqs) != 2 || reqs[0].Identities != MaxIdentities || reqs[1].Identities != 4 || reqs[0].Kind != "email_hash" {
		t.Errorf("requests: %+v", reqs)
	}
	for i, h := range hashes {
		m := got[h]
		switch {
		case i == 7 || i == MaxIdentities+1:
			if m.Reason != ReasonOptOut || m.UID2 != "" {
				t.Errorf("opted-out hash %d: %+v", i, m)
			}
		case h == "not-a-hash":
			if m.Reason != ReasonInvalid {
				t.Errorf("the invalid identifier: %+v", m)
			}
		case m.UID2 != uid2test.FakeUID2(h) || m.BucketID == "":
			t.Errorf("hash %d: %+v", i, m)
		}
	}
}

// TestMapRetriesAndHidesSecrets: a 503 is retried (each attempt a fresh
// envelope); a wrong key fails with advice and neither secret.
func TestMapRetriesAndHidesSecrets(t *testing.T) {
	s := uid2test.New(t, apiKey, secret(t))
	h, _ := adnorm.UID2(adnorm.UID2KindPhone, "+12345678901")
	s.FailNext(2, 503)
	got, err := NewClient(s.URL, apiKey, secret(t), fastOptions()).Map(context.Background(), KindPhone, []string{h})
	if err != nil || got[h].UID2 == "" {
		t.Fatalf("after two 503s: %v %+v", err, got)
	}
	_, err = NewClient(s.URL, "wrong-"+apiKey, secret(t), fastOptions()).Map(context.Background(), KindPhone, []string{h})
	if err == nil || !strings.Contains(err.Error(), "uid2_key_env") {
		t.Fatalf("a wrong key: %v", err)
	}
	other := []byte("ffffffffffffffffffffffffffffffff")
	_, err2 := NewClient(s.URL, apiKey, other, fastOptions()).Map(context.Background(), KindPhone, []string{h})
	if err2 == nil || !strings.Contains(err2.Error(), "HTTP 400") {
		t.Fatalf("a wrong secret: %v", err2)
	}
	for _, e := range []error{err, err2} {
		if strings.Contains(e.Error(), apiKey) || strings.Contains(e.Error(), secretB64) || strings.Contains(e.Error(), string(other)) {
			t.Errorf("an error shows a secret: %v", e)
		}
	}
}

// TestEnvelopeVector checks the envelope's bytes with a fixed IV, time and
// nonce against a vector computed with another implementation (Python's
// cryptography AESGCM, following UID2's field layout); UID2's docs
// publish none, their IVs being random.
func TestEnvelopeVector(t *testing.T) {
	key := []byte("0123456789abcdef0123456789ABCDEF")
	var iv [IVSize]byte
	for i := range iv {
		iv[i] = byte(i)
	}
	nonce := Nonce{1, 2, 3, 4, 5, 6, 7, 8}
	now := time.UnixMilli(1764720000000)
	got, err := encryptWithIV(key, iv, now, nonce, []byte(`{"email_hash":["tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ="]}`))
	const want = "AQABAgMEBQYHCAkKCxD80HM4DxHoDbf4f/UUQTg1p1m/R0Ywsk514CrJQRx6ngQ/cit7SescB4lCyfjJJapmacbj2qR8bo/2KbvCQLo9U+SG1DZjF/ALehi1l6w+d9pkM+dXyfuVQsKcyXBi"
	if err != nil || got != want {
		t.Errorf("request envelope:\n got %s (%v)\nwant %s", got, err, want)
	}
	resp := "AAECAwQFBgcICQoLEPzQczgPEegNt/h/9RRBODWnT6ZHWymeBC6xMZ4YJD2ZOnBmiWPn6TquLuB8xhgsdUxHow=="
	js, err := DecryptResponse(key, []byte(resp), nonce)
	if err != nil || string(js) != `{"status":"success"}` {
		t.Errorf("response envelope: %q, %v", js, err)
	}
}
