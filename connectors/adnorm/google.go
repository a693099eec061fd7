package adnorm

import "strings"

// Google Customer Match (Data Manager API, encoding HEX), as Google
// documents its formatting of user data before hashing:
//
//   - e-mail: remove leading, trailing and inner white space, lowercase;
//     for gmail.com and googlemail.com addresses, remove every dot before
//     the @ and the + and what follows it (a +tag);
//   - phone: E.164, "+" then the country code and the number, digits only;
//   - then SHA-256, as 64 lowercase hex digits.
//
// Vector: Jane.Doe+x@gmail.com → janedoe@gmail.com →
// d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69.

// GoogleEmail returns the e-mail address as Google hashes it.
func GoogleEmail(s string) (string, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	local, domain, err := splitEmail(s)
	if err != nil {
		return "", err
	}
	if domain == "gmail.com" || domain == "googlemail.com" {
		if local, err = gmailLocal(local); err != nil {
			return "", err
		}
	}
	return local + "@" + domain, nil
}

// GooglePhone returns the phone number in E.164 form (+ and digits).
func GooglePhone(s string) (string, error) {
	d, err := e164Digits(s)
	if err != nil {
		return "", err
	}
	return "+" + d, nil
}

// Google identity kinds.
const (
	GoogleKindEmail = "email"
	GoogleKindPhone = "phone"
)

// Google returns the value of an identity of kind (GoogleKindEmail or
// GoogleKindPhone) as sent to the Data Manager API with encoding HEX.
func Google(kind, s string) (string, error) {
	var n string
	var err error
	switch kind {
	case GoogleKindEmail:
		n, err = GoogleEmail(s)
	case GoogleKindPhone:
		n, err = GooglePhone(s)
	default:
		return "", invalid(kind, "Customer Match takes e-mail addresses and phone numbers only")
	}
	if err != nil {
		return "", err
	}
	return HexSHA256(n), nil
}
