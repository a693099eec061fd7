package identity

import (
	"reflect"
	"testing"
)

// TestResultRecordsHoldNoPointers: the kernels' largest outputs hold no
// pointer, so the garbage collector does not scan them (a first run at
// 10M users holds 48M holdings and 11.65M refusals while the kernels run,
// with the Go heap at its soft limit).
func TestResultRecordsHoldNoPointers(t *testing.T) {
	for _, v := range []any{Holding{}, Refusal{}, ProfileOut{}, Alias{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			switch f.Type.Kind() {
			case reflect.Bool, reflect.Int32, reflect.Int64:
			default:
				t.Errorf("%s.%s is a %s: a record the kernels return in millions holds only integers and booleans", typ.Name(), f.Name, f.Type)
			}
		}
	}
}
