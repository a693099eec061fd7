package calculated

// SetFreshAsPairs makes Run compute fresh definitions as full dirty pairs
// (the oracle of TestFreshEqualsPairs) until it is called with false.
func SetFreshAsPairs(on bool) { freshAsPairs = on }
