// Package bytesize reads sizes as DuckDB takes and prints them: "8GB",
// "512 MB", "6.5 GiB", "1000 bytes".
package bytesize

import (
	"strconv"
	"strings"
)

var units = map[string]float64{
	"": 1, "B": 1, "BYTE": 1, "BYTES": 1,
	"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
	"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40,
}

// Parse returns the bytes s stands for: a number, optionally a space, and
// a unit (decimal KB..TB, binary KiB..TiB, B or bytes; any case). It
// reports false for anything else ("80%", "unlimited", "").
func Parse(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	scale, ok := units[strings.ToUpper(strings.TrimSpace(s[i:]))]
	if err != nil || !ok || f < 0 {
		return 0, false
	}
	return int64(f * scale), true
}
