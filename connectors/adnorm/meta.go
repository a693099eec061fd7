package adnorm

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Meta Custom Audiences, as Meta documents the keys of a users upload
// (https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences):
//
//   - EMAIL: trim leading and trailing white space, lowercase. No Gmail
//     rule: dots and +tags are kept;
//   - PHONE: remove symbols, letters and leading zeros; the country code is
//     required (Meta reads the digits as country code then number);
//   - FN, LN: lowercase, letters only (no punctuation, digits or spaces);
//     letters outside a-z stay, in UTF-8 (é stays é, composed: NFC);
//   - EMAIL, PHONE, FN, LN: SHA-256 as 64 lowercase hex digits;
//   - EXTERN_ID: sent as is (trimmed), not hashed;
//   - MADID: a mobile advertiser id (IDFA, AAID), lowercase with its
//     hyphens, not hashed.
//
// Vector: John_Smith@gmail.com → john_smith@gmail.com →
// 62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.

// Meta schema keys.
const (
	MetaEmail    = "EMAIL"
	MetaPhone    = "PHONE"
	MetaFirst    = "FN"
	MetaLast     = "LN"
	MetaExternID = "EXTERN_ID"
	MetaMADID    = "MADID"
)

// MetaNormalEmail returns the e-mail address as Meta hashes it.
func MetaNormalEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, _, err := splitEmail(s); err != nil {
		return "", err
	}
	return s, nil
}

// MetaNormalPhone returns the phone number's digits, country code first.
// The country code must be there: a number written with + or 00, or
// already digits only (Meta's normal form, which starts with the country
// code); a number with separators but no + ("(650) 555-1234") is national,
// without a country code, and refused.
func MetaNormalPhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s != "" && strings.Trim(s, "0123456789") == "" && s[0] != '0' {
		return e164Digits("+" + s) // digits only: Meta's form, country code first
	}
	// Meta removes symbols and letters; e164Digits refuses letters, which
	// in a phone number are a vanity spelling or an extension, and a
	// number written without + or 00 (no country code).
	return e164Digits(s)
}

// MetaNormalName returns a first or last name as Meta hashes it: NFC,
// lowercase, letters only.
func MetaNormalName(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			return unicode.ToLower(r)
		}
		return -1
	}, norm.NFC.String(s))
	s = norm.NFC.String(s)
	if s == "" {
		return "", invalid("name", "it has no letters")
	}
	return s, nil
}

// MetaNormalMADID returns a mobile advertiser id lowercased, hyphens kept.
func MetaNormalMADID(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return !(r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'f') }) {
		return "", invalid("mobile advertiser id", "an IDFA or AAID is hex digits and hyphens, like 6d92078a-8246-4ba4-ae5b-76104861e7dc")
	}
	return s, nil
}

// Meta returns the value of schema key (MetaEmail …) as sent in a users
// upload: hashed for EMAIL, PHONE, FN and LN, as is for EXTERN_ID and
// MADID.
func Meta(key, s string) (string, error) {
	var n string
	var err error
	switch key {
	case MetaEmail:
		n, err = MetaNormalEmail(s)
	case MetaPhone:
		n, err = MetaNormalPhone(s)
	case MetaFirst, MetaLast:
		n, err = MetaNormalName(s)
	case MetaExternID:
		if n = strings.TrimSpace(s); n == "" {
			return "", invalid("external id", "it is empty")
		}
		return n, nil
	case MetaMADID:
		return MetaNormalMADID(s)
	default:
		return "", invalid(key, "not a Meta schema key mosaic sends (EMAIL, PHONE, FN, LN, EXTERN_ID, MADID)")
	}
	if err != nil {
		return "", err
	}
	return HexSHA256(n), nil
}

// MetaHashed reports whether Meta expects key's values hashed.
func MetaHashed(key string) bool { return key != MetaExternID && key != MetaMADID }
