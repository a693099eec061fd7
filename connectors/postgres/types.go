package postgres

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// The type mapping, PostgreSQL → Arrow (→ DuckDB), read in the binary
// protocol:
//
//	int2, int4, int8                 int16, int32, int64
//	numeric(p,s), p ≤ 38, s ≥ 0      decimal128(p,s)      (NaN → NULL)
//	numeric (unconstrained or wider) float64, as DuckDB's own postgres scanner does
//	float4, float8                   float32, float64
//	text, varchar, char, name        utf8
//	bool                             bool
//	date                             date32               (±infinity → DuckDB's ±infinity)
//	timestamp                        timestamp[us]
//	timestamptz                      timestamp[us, UTC]   (±infinity → DuckDB's ±infinity)
//	json, jsonb                      utf8 tagged arrow.json (DuckDB JSON)
//	text[], varchar[]                list<utf8>           (several dimensions are flattened)
//	uuid                             utf8 (canonical text)
//	bytea                            binary
//
// Any other type (interval, inet, enums, citext, other arrays …) is read in
// PostgreSQL's text format as utf8; cast it in a `query:` for another type.

// pgEpochMicros and pgEpochDays move PostgreSQL's 2000-01-01 epoch to Unix's.
const (
	pgEpochMicros = 946684800000000
	pgEpochDays   = 10957
)

var jsonMeta = arrow.NewMetadata([]string{"ARROW:extension:name", "ARROW:extension:metadata"}, []string{"arrow.json", ""})

// column is how one result column is read.
type column struct {
	Name   string
	PGType string // PostgreSQL type name, for messages
	OID    uint32
	Field  arrow.Field
	Binary bool // read in the binary format (else text)
}

// columnFor maps a result column to its Arrow field.
func columnFor(fd pgconn.FieldDescription, types *pgtype.Map) column {
	c := column{Name: fd.Name, OID: fd.DataTypeOID, Binary: true, PGType: typeName(fd.DataTypeOID, types)}
	var t arrow.DataType
	var md arrow.Metadata
	switch fd.DataTypeOID {
	case pgtype.Int2OID:
		t = arrow.PrimitiveTypes.Int16
	case pgtype.Int4OID:
		t = arrow.PrimitiveTypes.Int32
	case pgtype.Int8OID:
		t = arrow.PrimitiveTypes.Int64
	case pgtype.NumericOID:
		if p, s, ok := numericTypmod(fd.TypeModifier); ok {
			t = &arrow.Decimal128Type{Precision: p, Scale: s}
			c.PGType = fmt.Sprintf("numeric(%d,%d)", p, s)
		} else {
			t = arrow.PrimitiveTypes.Float64
		}
	case pgtype.Float4OID:
		t = arrow.PrimitiveTypes.Float32
	case pgtype.Float8OID:
		t = arrow.PrimitiveTypes.Float64
	case pgtype.BoolOID:
		t = arrow.FixedWidthTypes.Boolean
	case pgtype.DateOID:
		t = arrow.FixedWidthTypes.Date32
	case pgtype.TimestampOID:
		t = &arrow.TimestampType{Unit: arrow.Microsecond}
	case pgtype.TimestamptzOID:
		t = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case pgtype.JSONOID, pgtype.JSONBOID:
		t, md = arrow.BinaryTypes.String, jsonMeta
	case pgtype.TextArrayOID, pgtype.VarcharArrayOID, pgtype.BPCharArrayOID, pgtype.NameArrayOID:
		t = arrow.ListOf(arrow.BinaryTypes.String)
	case pgtype.ByteaOID:
		t = arrow.BinaryTypes.Binary
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID, pgtype.UUIDOID:
		t = arrow.BinaryTypes.String
	default:
		t, c.Binary = arrow.BinaryTypes.String, false
	}
	c.Field = arrow.Field{Name: fd.Name, Type: t, Nullable: true, Metadata: md}
	return c
}

func typeName(oid uint32, types *pgtype.Map) string {
	if t, ok := types.TypeForOID(oid); ok {
		return t.Name
	}
	return fmt.Sprintf("type oid %d", oid)
}

// numericTypmod decodes numeric(p,s) from a type modifier; ok is false for
// an unconstrained numeric or one Arrow's decimal128 cannot hold.
func numericTypmod(typmod int32) (p, s int32, ok bool) {
	if typmod < 4 {
		return 0, 0, false
	}
	m := typmod - 4
	p = (m >> 16) & 0xffff
	s = ((m & 0x7ff) ^ 1024) - 1024 // PostgreSQL 15 allows a negative scale
	return p, s, p >= 1 && p <= 38 && s >= 0 && s <= p
}

// appender appends one value (nil: NULL) to its builder.
type appender func(raw []byte) error

func errSize(c column, n int) error {
	return fmt.Errorf("column %q (%s): unexpected %d-byte binary value", c.Name, c.PGType, n)
}

// appenderFor returns the appender of column c into builder b.
func appenderFor(c column, b array.Builder) appender {
	fixed := func(size int, put func([]byte)) appender {
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
				return nil
			}
			if len(raw) != size {
				return errSize(c, len(raw))
			}
			put(raw)
			return nil
		}
	}
	be := binary.BigEndian
	if !c.Binary {
		sb := b.(*array.StringBuilder)
		return func(raw []byte) error { appendBytes(sb.BinaryBuilder, raw); return nil }
	}
	switch c.OID {
	case pgtype.Int2OID:
		ib := b.(*array.Int16Builder)
		return fixed(2, func(r []byte) { ib.Append(int16(be.Uint16(r))) })
	case pgtype.Int4OID:
		ib := b.(*array.Int32Builder)
		return fixed(4, func(r []byte) { ib.Append(int32(be.Uint32(r))) })
	case pgtype.Int8OID:
		ib := b.(*array.Int64Builder)
		return fixed(8, func(r []byte) { ib.Append(int64(be.Uint64(r))) })
	case pgtype.Float4OID:
		fb := b.(*array.Float32Builder)
		return fixed(4, func(r []byte) { fb.Append(math.Float32frombits(be.Uint32(r))) })
	case pgtype.Float8OID:
		fb := b.(*array.Float64Builder)
		return fixed(8, func(r []byte) { fb.Append(math.Float64frombits(be.Uint64(r))) })
	case pgtype.BoolOID:
		bb := b.(*array.BooleanBuilder)
		return fixed(1, func(r []byte) { bb.Append(r[0] != 0) })
	case pgtype.DateOID:
		db := b.(*array.Date32Builder)
		return fixed(4, func(r []byte) {
			d := int32(be.Uint32(r))
			switch d {
			case math.MaxInt32:
			case math.MinInt32:
				d = -math.MaxInt32
			default:
				d += pgEpochDays
			}
			db.Append(arrow.Date32(d))
		})
	case pgtype.TimestampOID, pgtype.TimestamptzOID:
		tb := b.(*array.TimestampBuilder)
		return fixed(8, func(r []byte) {
			us := int64(be.Uint64(r))
			switch us {
			case math.MaxInt64:
			case math.MinInt64:
				us = -math.MaxInt64
			default:
				us += pgEpochMicros
			}
			tb.Append(arrow.Timestamp(us))
		})
	case pgtype.UUIDOID:
		sb := b.(*array.StringBuilder)
		var buf [36]byte
		return fixed(16, func(r []byte) {
			hex.Encode(buf[0:8], r[0:4])
			buf[8] = '-'
			hex.Encode(buf[9:13], r[4:6])
			buf[13] = '-'
			hex.Encode(buf[14:18], r[6:8])
			buf[18] = '-'
			hex.Encode(buf[19:23], r[8:10])
			buf[23] = '-'
			hex.Encode(buf[24:36], r[10:16])
			sb.BinaryBuilder.Append(buf[:])
		})
	case pgtype.JSONBOID:
		sb := b.(*array.StringBuilder)
		return func(raw []byte) error {
			if raw == nil {
				sb.AppendNull()
				return nil
			}
			if len(raw) == 0 || raw[0] != 1 {
				return fmt.Errorf("column %q (jsonb): unknown binary jsonb version", c.Name)
			}
			sb.BinaryBuilder.Append(raw[1:])
			return nil
		}
	case pgtype.TextArrayOID, pgtype.VarcharArrayOID, pgtype.BPCharArrayOID, pgtype.NameArrayOID:
		return textArrayAppender(c, b.(*array.ListBuilder))
	case pgtype.NumericOID:
		return numericAppender(c, b)
	case pgtype.ByteaOID:
		bb := b.(*array.BinaryBuilder)
		return func(raw []byte) error { appendBytes(bb, raw); return nil }
	}
	// text, varchar, char, name, json: the bytes are the text.
	sb := b.(*array.StringBuilder)
	return func(raw []byte) error { appendBytes(sb.BinaryBuilder, raw); return nil }
}

func appendBytes(b *array.BinaryBuilder, raw []byte) {
	if raw == nil {
		b.AppendNull()
		return
	}
	b.Append(raw)
}

// textArrayAppender decodes PostgreSQL's binary array format: ndim, has
// nulls, element oid, (length, lower bound) per dimension, then each element
// as (length or -1 for NULL, bytes).
func textArrayAppender(c column, lb *array.ListBuilder) appender {
	vb := lb.ValueBuilder().(*array.StringBuilder)
	be := binary.BigEndian
	bad := func() error { return fmt.Errorf("column %q (%s): malformed binary array", c.Name, c.PGType) }
	return func(raw []byte) error {
		if raw == nil {
			lb.AppendNull()
			return nil
		}
		if len(raw) < 12 {
			return bad()
		}
		ndim := int(int32(be.Uint32(raw)))
		pos, n := 12, 1
		if ndim == 0 {
			n = 0
		}
		for range ndim {
			if len(raw) < pos+8 {
				return bad()
			}
			n *= int(int32(be.Uint32(raw[pos:])))
			pos += 8
		}
		lb.Append(true)
		for range n {
			if len(raw) < pos+4 {
				return bad()
			}
			l := int(int32(be.Uint32(raw[pos:])))
			pos += 4
			if l < 0 {
				vb.AppendNull()
				continue
			}
			if len(raw) < pos+l {
				return bad()
			}
			vb.BinaryBuilder.Append(raw[pos : pos+l])
			pos += l
		}
		return nil
	}
}
