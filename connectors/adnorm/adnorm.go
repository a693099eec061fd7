// Package adnorm normalises and hashes identities the way each ad platform
// documents, so that what mosaic uploads matches what the platform holds:
// a wrong normalisation silently halves the match rate.
//
// Each platform has its own file: google.go (Customer Match, through the
// Data Manager API), meta.go (Custom Audiences) and uid2.go (Unified ID
// 2.0). Each exposes Normalize functions (the text that is hashed) and one
// function that returns the value as sent on the wire.
//
// A value a platform cannot use (an e-mail without @, a phone number
// without a country code) is an *Error: the destination records the
// identity as invalid. Errors never repeat the value: it is personal data.
package adnorm

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
)

// Error is an identity a normaliser cannot use.
type Error struct {
	// Type is the kind of identity ("email", "phone", "name", …).
	Type string
	// Reason says what is wrong and how to fix it; it never holds the value.
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("invalid %s: %s", e.Type, e.Reason) }

func invalid(typ, format string, args ...any) error {
	return &Error{Type: typ, Reason: fmt.Sprintf(format, args...)}
}

// HexSHA256 is the SHA-256 of s as 64 lowercase hex digits.
func HexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Base64SHA256 is the SHA-256 of s, its 32 bytes in standard base64 (44
// characters, padded): UID2's encoding of hashes.
func Base64SHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// IsHexSHA256 reports whether s is 64 lowercase hex digits.
func IsHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// splitEmail checks that s (already trimmed and lowercased) is local@domain
// with exactly one @ and returns the two parts.
func splitEmail(s string) (local, domain string, err error) {
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case s == "":
		return "", "", invalid("email", "it is empty")
	case !ok:
		return "", "", invalid("email", "it has no @: an e-mail address is name@domain")
	case strings.Contains(domain, "@"):
		return "", "", invalid("email", "it has more than one @")
	case local == "":
		return "", "", invalid("email", "nothing before the @")
	case domain == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, "."):
		return "", "", invalid("email", "the part after the @ is not a domain name like example.com")
	case strings.ContainsFunc(s, unicode.IsSpace):
		return "", "", invalid("email", "it contains white space")
	}
	return local, domain, nil
}

// gmailLocal drops the dots of a Gmail local part and what follows a +.
func gmailLocal(local string) (string, error) {
	local, _, _ = strings.Cut(local, "+")
	local = strings.ReplaceAll(local, ".", "")
	if local == "" {
		return "", invalid("email", "a Gmail address with nothing but dots or a +tag before the @")
	}
	return local, nil
}

// phoneSeparators are what people write between the digits of a phone
// number; they carry no information.
const phoneSeparators = " \t-().\u00a0/"

// e164Digits reads a phone number written in international form ("+" or
// "00", then the country code and the number, separators allowed) and
// returns its digits: country code first, 7 to 15 of them (E.164).
func e164Digits(s string) (string, error) {
	s = strings.TrimSpace(s)
	var rest string
	switch {
	case s == "":
		return "", invalid("phone", "it is empty")
	case strings.HasPrefix(s, "+"):
		rest = s[1:]
	case strings.HasPrefix(s, "00"):
		rest = s[2:]
	default:
		return "", invalid("phone", "no country code: write it in international (E.164) form, + then the country code, like +33 1 23 45 67 89")
	}
	var b strings.Builder
	for _, r := range rest {
		switch {
		case '0' <= r && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(phoneSeparators, r):
		default:
			return "", invalid("phone", "it holds %q: a phone number is digits, with spaces, dashes, dots or parentheses between them", r)
		}
	}
	d := b.String()
	switch {
	case len(d) < 7 || len(d) > 15:
		return "", invalid("phone", "it has %d digits: an E.164 number has 7 to 15, country code included", len(d))
	case d[0] == '0':
		return "", invalid("phone", "a country code does not start with 0: drop the national trunk prefix")
	}
	return d, nil
}
