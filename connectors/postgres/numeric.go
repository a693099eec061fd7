package postgres

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// numericAppender decodes PostgreSQL's binary numeric: ndigits, weight,
// sign, dscale, then base-10000 digits; value = Σ digit[i]·10000^(weight-i).
func numericAppender(c column, b array.Builder) appender {
	be := binary.BigEndian
	if db, ok := b.(*array.Decimal128Builder); ok {
		scale := db.Type().(*arrow.Decimal128Type).Scale
		return func(raw []byte) error {
			if raw == nil {
				db.AppendNull()
				return nil
			}
			if len(raw) < 8 {
				return errSize(c, len(raw))
			}
			ndigits := int(be.Uint16(raw))
			weight := int(int16(be.Uint16(raw[2:])))
			sign := be.Uint16(raw[4:])
			if sign != 0 && sign != 0x4000 { // NaN, ±Infinity: no decimal holds them
				db.AppendNull()
				return nil
			}
			if len(raw) != 8+2*ndigits {
				return errSize(c, len(raw))
			}
			e := 4*(weight-ndigits+1) + int(scale)
			if v, ok := smallDecimal(raw[8:], ndigits, e); ok { // the common case, without big integers
				if sign == 0x4000 {
					v = -v
				}
				db.Append(decimal128.FromI64(v))
				return nil
			}
			n := decimal128.Num{}
			ten4 := decimal128.FromI64(10000)
			for i := range ndigits {
				n = n.Mul(ten4).Add(decimal128.FromI64(int64(be.Uint16(raw[8+2*i:]))))
			}
			if e >= 0 {
				n = n.IncreaseScaleBy(int32(e))
			} else {
				n = n.ReduceScaleBy(int32(-e), false)
			}
			if sign == 0x4000 {
				n = n.Negate()
			}
			db.Append(n)
			return nil
		}
	}
	fb := b.(*array.Float64Builder)
	var buf []byte
	return func(raw []byte) error {
		if raw == nil {
			fb.AppendNull()
			return nil
		}
		if len(raw) < 8 {
			return errSize(c, len(raw))
		}
		ndigits := int(be.Uint16(raw))
		weight := int(int16(be.Uint16(raw[2:])))
		switch be.Uint16(raw[4:]) {
		case 0xC000:
			fb.Append(math.NaN())
			return nil
		case 0xD000:
			fb.Append(math.Inf(1))
			return nil
		case 0xF000:
			fb.Append(math.Inf(-1))
			return nil
		case 0x4000:
			buf = append(buf[:0], '-')
		default:
			buf = buf[:0]
		}
		if len(raw) != 8+2*ndigits {
			return errSize(c, len(raw))
		}
		if ndigits == 0 {
			fb.Append(0)
			return nil
		}
		// digits·10^exponent, parsed with correct rounding.
		for i := range ndigits {
			d := be.Uint16(raw[8+2*i:])
			buf = append(buf, byte('0'+d/1000), byte('0'+d/100%10), byte('0'+d/10%10), byte('0'+d%10))
		}
		buf = append(buf, 'e')
		buf = strconv.AppendInt(buf, int64(4*(weight-ndigits+1)), 10)
		f, err := strconv.ParseFloat(string(buf), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("column %q (numeric): %w", c.Name, err)
		}
		fb.Append(f)
		return nil
	}
}

var pow10 = func() (p [19]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// smallDecimal computes digits·10^e (base-10000 digits) as an int64 when
// it fits; e < 0 drops zeros PostgreSQL's display scale never sets.
func smallDecimal(digits []byte, ndigits, e int) (int64, bool) {
	if ndigits > 4 || e <= -len(pow10) || e >= len(pow10) {
		return 0, false
	}
	var acc uint64
	for i := range ndigits {
		acc = acc*10000 + uint64(binary.BigEndian.Uint16(digits[2*i:]))
	}
	if e < 0 {
		acc /= pow10[-e]
	} else {
		if acc > math.MaxInt64/pow10[e] {
			return 0, false
		}
		acc *= pow10[e]
	}
	return int64(acc), acc <= math.MaxInt64
}
