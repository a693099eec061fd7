package adnorm

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// gen makes random identities from a seeded generator, and variants of
// them that differ only in what a platform ignores.
type gen struct{ r *rand.Rand }

const localChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

func (g gen) word(chars string, lo, hi int) string {
	n := lo + g.r.IntN(hi-lo+1)
	rs := []rune(chars)
	var b strings.Builder
	for range n {
		b.WriteRune(rs[g.r.IntN(len(rs))])
	}
	return b.String()
}

func (g gen) email() (local, domain string) {
	local = g.word(localChars, 1, 8)
	if g.r.IntN(2) == 0 {
		local += "." + g.word(localChars, 1, 6)
	}
	domains := []string{"gmail.com", "googlemail.com", "example.com", "Mail.Example.ORG", "gmail.co.uk"}
	return local, domains[g.r.IntN(len(domains))]
}

// recase flips the case of random ASCII letters.
func (g gen) recase(s string) string {
	return strings.Map(func(r rune) rune {
		if g.r.IntN(2) == 0 {
			if 'a' <= r && r <= 'z' {
				return r - 32
			}
			if 'A' <= r && r <= 'Z' {
				return r + 32
			}
		}
		return r
	}, s)
}

func (g gen) pad(s string) string {
	ws := []string{"", " ", "\t", "  ", "\n"}
	return ws[g.r.IntN(len(ws))] + s + ws[g.r.IntN(len(ws))]
}

// dots inserts dots between the characters of a local part.
func (g gen) dots(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && g.r.IntN(3) == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (g gen) phone() (digits, written string) {
	cc := []string{"1", "33", "44", "49", "353"}[g.r.IntN(5)]
	digits = cc + g.word("123456789", 1, 1) + g.word("0123456789", 6, 9)
	var b strings.Builder
	b.WriteString([]string{"+", "00", "+ "}[g.r.IntN(3)])
	for i, r := range digits {
		if i > 0 && g.r.IntN(3) == 0 {
			b.WriteByte(" -.()/"[g.r.IntN(6)])
		}
		b.WriteRune(r)
	}
	return digits, b.String()
}

func TestNormalisersProperties(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(15, 2026))}
	idem := func(name string, fn func(string) (string, error), in string) string {
		t.Helper()
		n, err := fn(in)
		if err != nil {
			t.Fatalf("%s(%q): %v", name, in, err)
		}
		if n2, err := fn(n); err != nil || n2 != n {
			t.Fatalf("%s is not idempotent: %q → %q → %q, %v", name, in, n, n2, err)
		}
		return n
	}
	same := func(name string, fn func(string) (string, error), a, b string) {
		t.Helper()
		na, nb := idem(name, fn, a), idem(name, fn, b)
		if HexSHA256(na) != HexSHA256(nb) {
			t.Fatalf("%s: %q and %q differ only in what the platform ignores, but normalise to %q and %q", name, a, b, na, nb)
		}
	}
	for range 2000 {
		local, domain := g.email()
		plain := strings.ToLower(local) + "@" + strings.ToLower(domain)
		tagged := local + "+" + g.word(localChars, 0, 5) + "@" + domain
		gmail := strings.EqualFold(domain, "gmail.com")
		googleMail := gmail || strings.EqualFold(domain, "googlemail.com")

		// Case and surrounding white space: every platform ignores them.
		for name, fn := range map[string]func(string) (string, error){"GoogleEmail": GoogleEmail, "MetaNormalEmail": MetaNormalEmail, "UID2Email": UID2Email} {
			same(name, fn, plain, g.pad(g.recase(local)+"@"+g.recase(domain)))
			idem(name, fn, g.pad(tagged))
		}
		// Google: white space anywhere; Gmail dots and +tags.
		same("GoogleEmail", GoogleEmail, plain, strings.Join(strings.Split(plain, ""), " "[:g.r.IntN(2)]))
		if googleMail {
			same("GoogleEmail", GoogleEmail, plain, g.dots(g.recase(local))+"+"+g.word(localChars, 0, 5)+"@"+domain)
		}
		// UID2: Gmail dots and +tags, gmail.com only.
		if gmail {
			same("UID2Email", UID2Email, plain, g.pad(g.dots(local)+"+"+g.word(localChars, 0, 5)+"@"+domain))
		} else if strings.Contains(local, ".") {
			a, _ := UID2Email(plain)
			b, _ := UID2Email(strings.ReplaceAll(local, ".", "") + "@" + domain)
			if a == b {
				t.Fatalf("UID2Email: dots of %q dropped outside gmail.com", plain)
			}
		}
		// Meta: no Gmail rule, so a +tag changes the hash.
		if a, _ := MetaNormalEmail(plain); a == strings.ToLower(tagged) {
			t.Fatalf("MetaNormalEmail dropped a +tag: %q", tagged)
		}

		digits, written := g.phone()
		same("GooglePhone", GooglePhone, "+"+digits, written)
		same("UID2Phone", UID2Phone, "+"+digits, g.pad(written))
		same("MetaNormalPhone", MetaNormalPhone, digits, written)

		name := g.word("abcdefghijklmnopqrstuvwxyzéøç", 1, 8)
		rs := []rune(name)
		same("MetaNormalName", MetaNormalName, name, g.pad(strings.ToUpper(string(rs[:1]))+"-'"+string(rs[1:])+"."))
	}
}
