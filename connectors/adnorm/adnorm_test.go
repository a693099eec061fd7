package adnorm

import (
	"errors"
	"strings"
	"testing"
)

// The platforms' published vectors, exactly.
func TestPublishedVectors(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func() (string, error)
		want string
	}{
		{"Google Jane.Doe+x@gmail.com", func() (string, error) { return Google(GoogleKindEmail, "Jane.Doe+x@gmail.com") },
			"d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69"},
		{"Meta John_Smith@gmail.com", func() (string, error) { return Meta(MetaEmail, "John_Smith@gmail.com") },
			"62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"},
		{"UID2 user@example.com", func() (string, error) { return UID2(UID2KindEmail, "user@example.com") },
			"tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ="},
		{"UID2 JaneSaoirse+Work@gmail.com", func() (string, error) { return UID2(UID2KindEmail, "JaneSaoirse+Work@gmail.com") },
			"ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8="},
		// UID2's table of normalisation examples.
		{"UID2 MyEmail@example.com", func() (string, error) { return UID2(UID2KindEmail, "MYEMAIL@example.com") },
			"FsGNM28LJQ8OLZB0Us65ZYp07NrovJSGTCMSKnLMJ6U="},
		{"UID2 My.Email@example.com", func() (string, error) { return UID2(UID2KindEmail, "My.Email@example.com") },
			"4itTvG+HEnTzpiqzejyu1yFPwU1nYhWpaiQvz62hyB8="},
		{"UID2 JaneSaoirse+Work@example.com", func() (string, error) { return UID2(UID2KindEmail, "JaneSaoirse+Work@example.com") },
			"KKruSBUjDNO069iMUVImVQZm6RrAGZKeOtrD9mwogYA="},
		{"UID2 JANE.SAOIRSE@gmail.com", func() (string, error) { return UID2(UID2KindEmail, "JANE.SAOIRSE@gmail.com") },
			"ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8="},
		{"UID2 +12345678901", func() (string, error) { return UID2(UID2KindPhone, "+12345678901") },
			"EObwtHBUqDNZR33LNSMdtt5cafsYFuGmuY4ZLenlue4="},
	} {
		got, err := c.fn()
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

type normCase struct{ in, want string }

func checkNorm(t *testing.T, name string, fn func(string) (string, error), cases []normCase) {
	t.Helper()
	for _, c := range cases {
		got, err := fn(c.in)
		if c.want == "" {
			var ne *Error
			if !errors.As(err, &ne) {
				t.Errorf("%s(%q) = %q, %v; want an *Error", name, c.in, got, err)
			} else if c.in != "" && strings.Contains(err.Error(), c.in) {
				t.Errorf("%s(%q): the error %q repeats the value", name, c.in, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s(%q) = %q, %v; want %q", name, c.in, got, err, c.want)
		}
	}
}

func TestGoogleEmail(t *testing.T) {
	checkNorm(t, "GoogleEmail", GoogleEmail, []normCase{
		{"Jane.Doe+x@gmail.com", "janedoe@gmail.com"},
		{"  JANE.DOE@GMAIL.COM \n", "janedoe@gmail.com"},
		{"jane . doe @ gmail.com", "janedoe@gmail.com"}, // white space anywhere goes
		{"j.a.n.e+tag+more@googlemail.com", "jane@googlemail.com"},
		{"Jane.Doe+x@example.com", "jane.doe+x@example.com"}, // other domains keep dots and tags
		{"jane.doe@gmail.co.uk", "jane.doe@gmail.co.uk"},
		{"jane.doe@mail.gmail.com", "jane.doe@mail.gmail.com"},
		{"Zoë@Example.com", "zoë@example.com"},
		{"no-at-sign.example.com", ""},
		{"a@b@example.com", ""},
		{"@example.com", ""},
		{"jane@localhost", ""},
		{"+tag@gmail.com", ""},
		{"", ""},
	})
}

func TestPhones(t *testing.T) {
	e164 := []normCase{
		{"+1 (650) 555-1234", "+16505551234"},
		{"+44 20 7946 0958", "+442079460958"},
		{"0033 1.23.45.67.89", "+33123456789"},
		{" +49/30/123456 ", "+4930123456"},
		{"+12345678901", "+12345678901"},
		{"(650) 555-1234", ""},    // national: no country code
		{"06 12 34 56 78", ""},    // national trunk prefix
		{"+1 800 FLOWERS", ""},    // letters
		{"+1234", ""},             // too short
		{"+1234567890123456", ""}, // 16 digits
		{"+0 650 555 1234", ""},
		{"", ""},
	}
	checkNorm(t, "GooglePhone", GooglePhone, e164)
	checkNorm(t, "UID2Phone", UID2Phone, e164)
	var meta []normCase
	for _, c := range e164 {
		meta = append(meta, normCase{c.in, strings.TrimPrefix(c.want, "+")})
	}
	meta = append(meta, normCase{"16505551234", "16505551234"}, normCase{"016505551234", ""})
	checkNorm(t, "MetaNormalPhone", MetaNormalPhone, meta)
}

func TestMeta(t *testing.T) {
	checkNorm(t, "MetaNormalEmail", MetaNormalEmail, []normCase{
		{"John_Smith@gmail.com", "john_smith@gmail.com"},
		{"  Jane.Doe+x@GMAIL.com\t", "jane.doe+x@gmail.com"}, // no Gmail rule
		{"jane.doe@googlemail.com", "jane.doe@googlemail.com"},
		{"ÉLODIE@Example.fr", "élodie@example.fr"},
		{"jane doe@example.com", ""},
		{"janedoe.example.com", ""},
	})
	checkNorm(t, "MetaNormalName", MetaNormalName, []normCase{
		{"John", "john"},
		{"  Mary-Jane O'Neil ", "maryjaneoneil"},
		{"Jean-François", "jeanfrançois"},
		{"Jean-Franc\u0327ois", "jeanfrançois"}, // decomposed ç composes (NFC)
		{"ÉLODIE", "élodie"},
		{"Søren", "søren"},
		{"Иван", "иван"},
		{"R2-D2", "rd"},
		{"42", ""},
	})
	checkNorm(t, "MetaNormalMADID", MetaNormalMADID, []normCase{
		{" 6D92078A-8246-4BA4-AE5B-76104861E7DC ", "6d92078a-8246-4ba4-ae5b-76104861e7dc"},
		{"not an id", ""},
	})
	if got, err := Meta(MetaExternID, " Cust-0042 "); err != nil || got != "Cust-0042" {
		t.Errorf("Meta(EXTERN_ID) = %q, %v; want it trimmed, unhashed", got, err)
	}
	if got, err := Meta(MetaMADID, "6D92078A-8246-4BA4-AE5B-76104861E7DC"); err != nil || got != "6d92078a-8246-4ba4-ae5b-76104861e7dc" {
		t.Errorf("Meta(MADID) = %q, %v; want it lowercased, unhashed", got, err)
	}
	if got, err := Meta(MetaFirst, "John"); err != nil || got != HexSHA256("john") {
		t.Errorf("Meta(FN, John) = %q, %v", got, err)
	}
	if _, err := Meta("GEN", "m"); err == nil {
		t.Error("Meta(GEN): want an error for a key mosaic does not send")
	}
}

func TestUID2Email(t *testing.T) {
	checkNorm(t, "UID2Email", UID2Email, []normCase{
		{"JaneSaoirse+Work@gmail.com", "janesaoirse@gmail.com"},
		{" Jane.Saoirse@Gmail.com ", "janesaoirse@gmail.com"},
		{"jane.saoirse+work@googlemail.com", "jane.saoirse+work@googlemail.com"}, // gmail.com only
		{"Jane.Saoirse+Work@example.com", "jane.saoirse+work@example.com"},
		{"ÉLODIE@EXAMPLE.FR", "élodie@example.fr"}, // "if there are uppercase characters, convert them to lowercase"
		{"jane saoirse@example.com", ""},
		{"user.example.com", ""},
	})
}

func TestErrorsAreInvalidIdentities(t *testing.T) {
	for _, f := range []func() (string, error){
		func() (string, error) { return Google(GoogleKindEmail, "nope") },
		func() (string, error) { return Google(GoogleKindPhone, "555-1234") },
		func() (string, error) { return Google("madid", "x") },
		func() (string, error) { return Meta(MetaPhone, "555-1234") },
		func() (string, error) { return UID2(UID2KindPhone, "555 1234") },
	} {
		_, err := f()
		var ne *Error
		if !errors.As(err, &ne) || ne.Reason == "" {
			t.Errorf("%v: want an *Error with a reason", err)
		}
	}
}
