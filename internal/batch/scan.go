package batch

import "encoding/json"

// scanner reads a batch's JSON text in one pass, in place: what it keeps
// (keys, raw values, strings without escapes) are parts of the line, not
// copies. It reads only text that encoding/json reads the same way, and
// gives up (ok false) wherever it is not sure: a key with an escape, a
// field named in another case, a field sent twice, a value of the wrong
// JSON type, nesting deeper than maxDepth, any syntax error. The batch then
// goes to decodeReference, which says why or decodes it.
type scanner struct {
	s     string
	i     int
	depth int
}

// maxDepth is how deep the scanner follows nested values (encoding/json
// refuses more than 10,000 levels; the reference decides those).
const maxDepth = 256

// plain marks the bytes a string holds as they are: not its quote, not a
// backslash, not a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (sc *scanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte (0 at the end).
func (sc *scanner) peek() byte {
	sc.ws()
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// str reads the string at sc.i (its opening quote) and returns its raw
// text, quotes included, and whether it holds an escape.
func (sc *scanner) str() (raw string, escaped, ok bool) {
	s, i := sc.s, sc.i+1
	for {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i >= len(s) || s[i] < 0x20 {
			return "", false, false
		}
		if s[i] == '"' {
			raw, sc.i = s[sc.i:i+1], i+1
			return raw, escaped, true
		}
		escaped = true
		if i+1 >= len(s) {
			return "", false, false
		}
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
				return "", false, false
			}
			i += 6
		default:
			return "", false, false
		}
	}
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// text reads a JSON string's value: a part of the line unless it holds an
// escape.
func (sc *scanner) text() (string, bool) {
	if sc.peek() != '"' {
		return "", false
	}
	raw, escaped, ok := sc.str()
	if !ok {
		return "", false
	}
	if !escaped {
		return raw[1 : len(raw)-1], true
	}
	var v string
	return v, json.Unmarshal([]byte(raw), &v) == nil
}

// key reads an object's key and the colon after it.
func (sc *scanner) key() (key string, escaped, ok bool) {
	if sc.peek() != '"' {
		return "", false, false
	}
	raw, escaped, ok := sc.str()
	if !ok || sc.peek() != ':' {
		return "", false, false
	}
	sc.i++
	return raw[1 : len(raw)-1], escaped, true
}

// enter reads the opening bracket of an object ('{', '}') or a list ('[',
// ']') and tells whether a member follows (not when it is empty).
func (sc *scanner) enter(open, close byte) (more, ok bool) {
	if sc.peek() != open || sc.depth >= maxDepth {
		return false, false
	}
	sc.i++
	sc.depth++
	if sc.peek() == close {
		sc.i++
		sc.depth--
		return false, true
	}
	return true, true
}

// next reads what follows a member: a comma (more follow) or the closing
// bracket.
func (sc *scanner) next(close byte) (more, ok bool) {
	switch sc.peek() {
	case ',':
		sc.i++
		return true, true
	case close:
		sc.i++
		sc.depth--
		return false, true
	}
	return false, false
}

// null reads a null if one comes next.
func (sc *scanner) null() bool {
	if sc.peek() == 'n' && len(sc.s)-sc.i >= 4 && sc.s[sc.i:sc.i+4] == "null" {
		sc.i += 4
		return true
	}
	return false
}

// value reads any JSON value and returns its text.
func (sc *scanner) value() (string, bool) {
	sc.ws()
	start := sc.i
	if !sc.skip() {
		return "", false
	}
	return sc.s[start:sc.i], true
}

// skip reads any JSON value.
func (sc *scanner) skip() bool {
	switch c := sc.peek(); {
	case c == '"':
		_, _, ok := sc.str()
		return ok
	case c == '{':
		more, ok := sc.enter('{', '}')
		for ok && more {
			if _, _, ok = sc.key(); ok && sc.skip() {
				more, ok = sc.next('}')
			} else {
				ok = false
			}
		}
		return ok
	case c == '[':
		more, ok := sc.enter('[', ']')
		for ok && more {
			if ok = sc.skip(); ok {
				more, ok = sc.next(']')
			}
		}
		return ok
	case c == 't':
		return sc.literal("true")
	case c == 'f':
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	case c == '-' || isDigit(c):
		return sc.number()
	}
	return false
}

func (sc *scanner) literal(word string) bool {
	if len(sc.s)-sc.i >= len(word) && sc.s[sc.i:sc.i+len(word)] == word {
		sc.i += len(word)
		return true
	}
	return false
}

// number reads a number as JSON spells one: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (sc *scanner) number() bool {
	s, i := sc.s, sc.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i++; i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	sc.i = i
	return true
}

// object reads an object of raw values into ms, as encoding/json reads
// one into a map[string]json.RawMessage (null: none; a key sent twice
// keeps its last value: see lastWins).
func (sc *scanner) object(ms []member) ([]member, bool) {
	if sc.null() {
		return ms, true
	}
	more, ok := sc.enter('{', '}')
	for ok && more {
		k, escaped, kok := sc.key()
		if !kok || escaped {
			return ms, false
		}
		raw, vok := sc.value()
		if !vok {
			return ms, false
		}
		ms = append(ms, member{k, raw})
		more, ok = sc.next('}')
	}
	return lastWins(ms), ok
}

// list reads a list of raw values (null: none).
func (sc *scanner) list(items []string) ([]string, bool) {
	if sc.null() {
		return items, true
	}
	more, ok := sc.enter('[', ']')
	for ok && more {
		raw, vok := sc.value()
		if !vok {
			return items, false
		}
		items = append(items, raw)
		more, ok = sc.next(']')
	}
	return items, ok
}
