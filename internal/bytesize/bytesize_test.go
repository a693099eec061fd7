package bytesize

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"8GB", 8e9, true},
		{"512MB", 512e6, true},
		{"7 gb", 7e9, true},
		{"6.5 GiB", 6979321856, true},
		{"512.0 MiB", 512 << 20, true},
		{"1000 bytes", 1000, true},
		{"42", 42, true},
		{" 1 TiB ", 1 << 40, true},
		{"80%", 0, false},
		{"unlimited", 0, false},
		{"", 0, false},
		{"GB", 0, false},
		{"7.4 parsecs", 0, false},
		{"-1GB", 0, false},
	} {
		got, ok := Parse(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
