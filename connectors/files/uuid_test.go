package files

import "testing"

// TestCanonicalUUID: only the text DuckDB writes a UUID back as parses, so
// that an id stored as a UUID reads back as the text it came as.
func TestCanonicalUUID(t *testing.T) {
	const id = "ae177935-54fd-4a0d-875d-02080755af67"
	u, ok := canonicalUUID(id)
	want := [16]byte{0xae, 0x17, 0x79, 0x35, 0x54, 0xfd, 0x4a, 0x0d, 0x87, 0x5d, 0x02, 0x08, 0x07, 0x55, 0xaf, 0x67}
	if !ok || u != want {
		t.Errorf("canonicalUUID(%q) = %x, %v; want %x", id, u, ok, want)
	}
	for _, s := range []string{
		"AE177935-54FD-4A0D-875D-02080755AF67", // uppercase
		"ae177935-54fd-4a0d-875d-02080755aF67",
		"{ae177935-54fd-4a0d-875d-02080755af67}",
		"ae17793554fd4a0d875d02080755af67",
		"ae177935-54fd-4a0d-875d-02080755af6",
		"ae177935-54fd-4a0d-875d-02080755af677",
		"ae177935054fd-4a0d-875d-02080755af67",
		"ae17793-554fd-4a0d-875d-02080755af67",
		"ae177935-54fd-4a0d-875d-02080755ag67",
		"ae177935-54fd-4a0d-875d-02080755af/7",
		"",
	} {
		if _, ok := canonicalUUID(s); ok {
			t.Errorf("canonicalUUID(%q) parsed; want it kept as text", s)
		}
	}
}
