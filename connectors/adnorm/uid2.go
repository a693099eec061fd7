package adnorm

import "strings"

// UID2 (Unified ID 2.0), as its "Normalization and Encoding" guide says:
//
//   - e-mail: remove leading and trailing spaces, lowercase; for
//     gmail.com only (not googlemail.com), remove the dots
//     before the @ and the + and what follows it;
//   - phone: E.164, "+" then the country code and the number (UID2 does
//     not normalise phone numbers itself: they must arrive normalised);
//   - then SHA-256, its 32 bytes in base64 (not the hex digits).
//
// Vectors: user@example.com → tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ=;
// JaneSaoirse+Work@gmail.com → janesaoirse@gmail.com →
// ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=; +12345678901 →
// EObwtHBUqDNZR33LNSMdtt5cafsYFuGmuY4ZLenlue4=.

// UID2Email returns the e-mail address as UID2 hashes it.
func UID2Email(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	local, domain, err := splitEmail(s)
	if err != nil {
		return "", err
	}
	if domain == "gmail.com" {
		if local, err = gmailLocal(local); err != nil {
			return "", err
		}
	}
	return local + "@" + domain, nil
}

// UID2Phone returns the phone number in E.164 form (+ and digits).
func UID2Phone(s string) (string, error) { return GooglePhone(s) }

// UID2 identity kinds.
const (
	UID2KindEmail = "email"
	UID2KindPhone = "phone"
)

// UID2 returns the value of an identity of kind (UID2KindEmail or
// UID2KindPhone) as sent to UID2: the base64 SHA-256 of its normal form.
func UID2(kind, s string) (string, error) {
	var n string
	var err error
	switch kind {
	case UID2KindEmail:
		n, err = UID2Email(s)
	case UID2KindPhone:
		n, err = UID2Phone(s)
	default:
		return "", invalid(kind, "UID2 maps e-mail addresses and phone numbers only")
	}
	if err != nil {
		return "", err
	}
	return Base64SHA256(n), nil
}
