package engine

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mosaic-cdp/mosaic/internal/batch"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// UsableIdentity returns a test that staging surely keeps a batch's
// identity, given its type and its value as sent: what
// sql/batch/identities.sql.tmpl does, in Go. A source uses it to tell
// which batches may be dropped as no_identity (connectors.RawBatches).
// It judges ASCII values only, which it normalises exactly as staging
// does (trimmed of the ASCII white space RE2's \s takes, \v not among
// it; e-mail lower-cased unless case sensitive), and applies the blocklist
// with Go's regexp, the RE2 syntax the pipeline's patterns were checked
// with; any other value is unsure. It is nil (nothing is sure) when a
// pattern does not compile, which the config refuses.
func UsableIdentity(p *config.Pipeline) func(identityType, value string) bool {
	bl := p.Identity.Blocklist
	lowerEmail := p.Identity.LowersEmail()
	// One regexp per pattern, not their alternation: anchored patterns
	// such as ^0+$ match in one pass alone, and backtrack when joined
	// (3× the time of decoding the batch, in a profile).
	compile := func(t string) ([]*regexp.Regexp, error) {
		var res []*regexp.Regexp
		for _, pat := range patterns(bl, t) {
			re, err := regexp.Compile(pat)
			if err != nil {
				return nil, err
			}
			res = append(res, re)
		}
		return res, nil
	}
	byType := map[string][]*regexp.Regexp{}
	for t := range bl {
		res, err := compile(t)
		if err != nil {
			return nil
		}
		byType[t] = res
	}
	every := byType["*"]
	return func(t, v string) bool {
		if !isASCII(v) {
			return false
		}
		v = strings.Trim(v, " \t\n\f\r")
		if v == "" || len(v) > batch.MaxIdentityLength {
			return false
		}
		if t == "email" && lowerEmail {
			v = strings.ToLower(v)
		}
		res, ok := byType[t]
		if !ok {
			res = every
		}
		return !slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(v) })
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
