package files

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// uuidType is how a batch's request id and its events' ids are staged when
// they are UUIDs in their canonical text (lowercase, hyphenated): 16 bytes
// that DuckDB reads as a UUID (Arrow's canonical arrow.uuid extension,
// named in the field's metadata), stored and hashed as one 128-bit value
// instead of 36 characters that DuckDB compresses on every write. Any other
// id stays text, so that each id reads back exactly as it came.
var uuidType = &arrow.FixedSizeBinaryType{ByteWidth: 16}

func uuidField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: uuidType, Nullable: true,
		Metadata: arrow.NewMetadata([]string{"ARROW:extension:name", "ARROW:extension:metadata"}, []string{"arrow.uuid", ""})}
}

// canonicalUUID parses s when it is a UUID written as DuckDB writes one
// back (8-4-4-4-12 lowercase hex digits).
func canonicalUUID(s string) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	var bad byte // a digit's value has its high bits set when it is none
	for j, i := range uuidDigits {
		hi, lo := hexValue[s[i]], hexValue[s[i+1]]
		bad |= hi | lo
		u[j] = hi<<4 | lo
	}
	return u, bad&0xf0 == 0
}

// uuidDigits holds where each byte's two hex digits start in a canonical
// UUID's text.
var uuidDigits = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// hexValue is each byte's value as a lowercase hex digit, 0xff when it is
// none.
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = byte(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		default:
			t[c] = 0xff
		}
	}
	return t
}()

// appendID appends id to one of the two columns that hold it: its 16 bytes
// to u when it is a canonical UUID (text null), else its text (u null).
func appendID(u *array.FixedSizeBinaryBuilder, text *array.StringBuilder, id string) {
	if b, ok := canonicalUUID(id); ok {
		u.Append(b[:])
		text.AppendNull()
		return
	}
	u.AppendNull()
	text.Append(id)
}
