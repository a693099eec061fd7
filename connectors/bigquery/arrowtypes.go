package bigquery

import (
	"fmt"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
)

// The Arrow types BigQuery's Storage Read API sends, which the REST path
// builds too, so that both paths stage the same DuckDB types:
//
//	INT64      int64                    BIGINT
//	FLOAT64    float64                  DOUBLE
//	NUMERIC    decimal128(38, 9)        DECIMAL(38,9)
//	BOOL       bool                     BOOLEAN
//	STRING     utf8                     VARCHAR
//	BYTES      binary                   BLOB
//	DATE       date32                   DATE
//	TIME       time64[us]               TIME
//	DATETIME   timestamp[us]            TIMESTAMP
//	TIMESTAMP  timestamp[us, UTC]       TIMESTAMP WITH TIME ZONE
//	JSON       utf8 (arrow.json)        JSON
//	GEOGRAPHY  utf8 (WKT)               VARCHAR
//	ARRAY<T>   list<T>                  T[]
//	STRUCT     struct                   STRUCT
//
// BigQuery marks JSON columns with the Arrow extension name
// "google:sqlType:json"; DuckDB knows the canonical "arrow.json", so the
// storage path relabels them (relabelJSON).
const (
	extensionKey  = "ARROW:extension:name"
	bigqueryJSON  = "google:sqlType:json"
	canonicalJSON = "arrow.json"
)

var (
	numericType   = &arrow.Decimal128Type{Precision: 38, Scale: 9}
	timestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	datetimeType  = &arrow.TimestampType{Unit: arrow.Microsecond}
	jsonMetadata  = arrow.NewMetadata([]string{extensionKey}, []string{canonicalJSON})
)

// arrowField is the Arrow field for a BigQuery column.
func arrowField(f *bigquery.FieldSchema) (arrow.Field, error) {
	t, md, err := arrowScalar(f)
	if err != nil {
		return arrow.Field{}, err
	}
	if f.Repeated {
		// BigQuery's arrays hold no NULLs and are never NULL themselves.
		return arrow.Field{Name: f.Name, Type: arrow.ListOfField(arrow.Field{Name: "item", Type: t, Nullable: true, Metadata: md}), Nullable: true}, nil
	}
	return arrow.Field{Name: f.Name, Type: t, Nullable: true, Metadata: md}, nil
}

func arrowScalar(f *bigquery.FieldSchema) (arrow.DataType, arrow.Metadata, error) {
	switch f.Type {
	case bigquery.IntegerFieldType:
		return arrow.PrimitiveTypes.Int64, arrow.Metadata{}, nil
	case bigquery.FloatFieldType:
		return arrow.PrimitiveTypes.Float64, arrow.Metadata{}, nil
	case bigquery.NumericFieldType:
		return numericType, arrow.Metadata{}, nil
	case bigquery.BooleanFieldType:
		return arrow.FixedWidthTypes.Boolean, arrow.Metadata{}, nil
	case bigquery.StringFieldType, bigquery.GeographyFieldType:
		return arrow.BinaryTypes.String, arrow.Metadata{}, nil
	case bigquery.JSONFieldType:
		return arrow.BinaryTypes.String, jsonMetadata, nil
	case bigquery.BytesFieldType:
		return arrow.BinaryTypes.Binary, arrow.Metadata{}, nil
	case bigquery.DateFieldType:
		return arrow.FixedWidthTypes.Date32, arrow.Metadata{}, nil
	case bigquery.TimeFieldType:
		return arrow.FixedWidthTypes.Time64us, arrow.Metadata{}, nil
	case bigquery.DateTimeFieldType:
		return datetimeType, arrow.Metadata{}, nil
	case bigquery.TimestampFieldType:
		return timestampType, arrow.Metadata{}, nil
	case bigquery.RecordFieldType:
		fields := make([]arrow.Field, len(f.Schema))
		for i, c := range f.Schema {
			af, err := arrowField(c)
			if err != nil {
				return nil, arrow.Metadata{}, err
			}
			fields[i] = af
		}
		return arrow.StructOf(fields...), arrow.Metadata{}, nil
	}
	if err := crossable(f); err != nil {
		return nil, arrow.Metadata{}, err
	}
	return nil, arrow.Metadata{}, fmt.Errorf("column %q has type %s, which mosaic does not read: cast it in a `query:` to STRING", f.Name, f.Type)
}

// arrowSchema is the Arrow schema of a query result.
func arrowSchema(schema bigquery.Schema) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(schema))
	for i, f := range schema {
		af, err := arrowField(f)
		if err != nil {
			return nil, err
		}
		fields[i] = af
	}
	return arrow.NewSchema(fields, nil), nil
}
