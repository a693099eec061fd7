package bigquery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"

	"github.com/mosaic-cdp/mosaic/connectors"
)

// Write loads the batch into the staging table and merges it into the
// table. Records whose values do not fit their columns are rejected
// alone; a batch that BigQuery refuses fails whole (the engine sends it
// again at the next sync).
func (w *bqWriter) Write(ctx context.Context, b connectors.Batch) ([]error, error) {
	errs := make([]error, len(b.Records))
	body, n := w.rows(b.Records, errs)
	if n == 0 {
		return errs, nil
	}
	var err error
	for attempt := 0; ; attempt++ {
		if err = w.load(ctx, body); err == nil {
			if err = w.query(ctx, w.merge, "merge the batch into the table"); err == nil {
				return errs, nil
			}
		}
		if attempt == 2 || !retryable(err) || ctx.Err() != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt+1) * 2 * time.Second):
		}
	}
}

// rows renders the batch as newline-delimited JSON for the staging table
// and counts the rows. A key met twice keeps its last record. A record
// whose field does not fit its column gets a RecordError in errs.
func (w *bqWriter) rows(recs []connectors.Record, errs []error) ([]byte, int) {
	last := make(map[string]int, len(recs))
	for i, r := range recs {
		last[r.Key] = i
	}
	var buf bytes.Buffer
	n := 0
	for i, r := range recs {
		if last[r.Key] != i {
			continue // a later record of the batch has the key's final state
		}
		row, err := w.row(r)
		if err != nil {
			errs[i] = &connectors.RecordError{Msg: fmt.Sprintf("bigquery %s: record %q: %v", w.where, r.Key, err)}
			continue
		}
		buf.Write(row)
		buf.WriteByte('\n')
		n++
	}
	for i, r := range recs {
		errs[i] = errs[last[r.Key]] // a superseded record fares as its key's last
	}
	return buf.Bytes(), n
}

// row is one staging row: op, key and the record's fields, each checked
// against its column's type; JSON values become JSON text.
func (w *bqWriter) row(r connectors.Record) ([]byte, error) {
	out := make(map[string]any, len(w.cols)+2)
	out["op"], out["key"] = r.Op, r.Key
	if r.Op == connectors.OpRemove {
		return json.Marshal(out) // only the key matters
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(r.Fields, &fields); err != nil {
		return nil, fmt.Errorf("its fields are not a JSON object: %v", err)
	}
	for _, col := range w.cols {
		v, ok := fields[col.Name]
		if !ok || string(v) == "null" {
			continue // NULL: under nulls: skip the table's value stays
		}
		if col.JSON {
			var c bytes.Buffer
			if err := json.Compact(&c, v); err != nil {
				return nil, fmt.Errorf("field %s is not JSON: %v", col.Name, err)
			}
			out[col.Name] = c.String()
			continue
		}
		if err := fits(col.Type, v); err != nil {
			return nil, fmt.Errorf("field %s: %v", col.Name, err)
		}
		out[col.Name] = v
	}
	return json.Marshal(out)
}

// fits checks that JSON value v can go into a column of type t.
func fits(t bigquery.FieldType, v json.RawMessage) error {
	var x any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return err
	}
	switch t {
	case bigquery.IntegerFieldType:
		if n, ok := x.(json.Number); ok {
			if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
				return nil
			}
		}
		return fmt.Errorf("%s does not fit an INT64 column", v)
	case bigquery.BooleanFieldType:
		if _, ok := x.(bool); ok {
			return nil
		}
		return fmt.Errorf("%s does not fit a BOOL column", v)
	case bigquery.TimestampFieldType:
		if s, ok := x.(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return nil
			}
		}
		return fmt.Errorf("%s is not an RFC 3339 time for a TIMESTAMP column", v)
	default:
		if _, ok := x.(string); ok {
			return nil
		}
		return fmt.Errorf("%s does not fit a STRING column", v)
	}
}

// load replaces the staging table's rows with body.
func (w *bqWriter) load(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	src := bigquery.NewReaderSource(bytes.NewReader(body))
	src.SourceFormat = bigquery.JSON
	l := w.stage.LoaderFrom(src)
	l.WriteDisposition = bigquery.WriteTruncate
	l.CreateDisposition = bigquery.CreateNever
	l.Labels = map[string]string{"mosaic_output": labelValue(w.name)}
	w.dirty = true
	job, err := l.Run(ctx)
	if err != nil {
		return w.errorf(err, "load the batch into the staging table %s", w.stage.TableID)
	}
	return w.wait(ctx, job, "load the batch into the staging table "+w.stage.TableID)
}

// query runs a statement as a query job and waits for it.
func (w *bqWriter) query(ctx context.Context, sql, what string) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	q := w.client.Query(sql)
	q.Labels = map[string]string{"mosaic_output": labelValue(w.name)}
	job, err := q.Run(ctx)
	if err != nil {
		return w.errorf(err, "%s", what)
	}
	return w.wait(ctx, job, what)
}

func (w *bqWriter) wait(ctx context.Context, job *bigquery.Job, what string) error {
	st, err := job.Wait(ctx)
	if err == nil {
		err = st.Err()
	}
	if err != nil {
		return w.errorf(err, "%s (job %s)", what, job.ID())
	}
	return nil
}

// Close empties the staging table when a batch went into it (each load
// replaces the previous batch, so it is emptied once a sync), and closes
// the client.
func (w *bqWriter) Close() error {
	var err error
	if w.dirty {
		err = w.query(context.Background(), w.empty, "empty the staging table "+w.stage.TableID)
	}
	if cerr := w.client.Close(); cerr != nil && err == nil {
		err = redact(cerr)
	}
	return err
}

// isStatus says whether err is BigQuery's answer with HTTP status code.
func isStatus(err error, code int) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == code
}

// retryable says whether a failed load or merge may be tried again: no
// answer at all, a rate limit or a server error. Both steps are
// idempotent: the load replaces the staging table, the merge sets the
// rows to the batch's values.
func retryable(err error) bool {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		if ge.Code == http.StatusTooManyRequests || ge.Code >= 500 {
			return true
		}
		for _, e := range ge.Errors {
			switch e.Reason {
			case "backendError", "internalError", "rateLimitExceeded", "jobRateLimitExceeded":
				return true
			}
		}
		return false
	}
	var be *bigquery.Error
	if errors.As(err, &be) {
		switch be.Reason {
		case "backendError", "internalError", "rateLimitExceeded", "jobRateLimitExceeded":
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) && !isContextErr(err)
}

// labelValue makes s a BigQuery label value (lower case, digits, _ and -,
// at most 63 characters).
func labelValue(s string) string {
	s = labelUnsafe.ReplaceAllString(strings.ToLower(s), "_")
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}
