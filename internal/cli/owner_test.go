package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestWritersRefuseAnotherPipelinesStore: a pipeline file copied from
// another, its name changed but its state: kept, is refused by every
// command that writes to the store for a pipeline (run, sync, forget,
// serve), with the fix; `run --rename-from` takes the store over.
func TestWritersRefuseAnotherPipelinesStore(t *testing.T) {
	dir := outputsDir(t, "")
	if code, _, errs := mosaic(t, "run", filepath.Join(dir, "pipeline.yaml")); code != 0 {
		t.Fatalf("run: exit %d, %s", code, errs)
	}
	t.Setenv("OWNER_ID", "id")
	t.Setenv("OWNER_SECRET", "secret")
	other := filepath.Join(dir, "other.yaml")
	writeFile(t, other, strings.Replace(smallPipeline, "name: small", "name: other", 1)+
		"outputs:\n  - { name: crm, kind: files, path: out, format: csv, send: profiles, key: email, mode: mirror, fields: { email: identity.email } }\n"+
		"serve: { profile_api: { client_id_env: OWNER_ID, client_secret_env: OWNER_SECRET } }\n")
	for _, args := range [][]string{
		{"run", other},
		{"sync", other},
		{"forget", "-p", other, "--identity", "customerid=C1"},
		{"serve", other, "--addr", "127.0.0.1:0"},
	} {
		code, _, errs := mosaic(t, args...)
		if code == 0 || !strings.Contains(errs, `belongs to pipeline "small"`) || !strings.Contains(errs, "--rename-from small") {
			t.Errorf("%s: exit %d, %s; want it refused as the store of pipeline small", args[0], code, errs)
		}
	}
	if code, _, errs := mosaic(t, "run", other, "--rename-from", "small"); code != 0 {
		t.Fatalf("run --rename-from small: exit %d, %s", code, errs)
	}
	if code, _, errs := mosaic(t, "sync", other); code != 0 {
		t.Errorf("sync after the rename: exit %d, %s", code, errs)
	}
}
