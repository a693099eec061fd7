package webui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// TestBrowser logs in, finds a profile and opens a run in a real,
// headless Chromium, and saves screenshots of the profile and run pages
// (into $MOSAIC_SCREENSHOTS when set).
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("MOSAIC_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("MOSAIC_REQUIRE_CHROMIUM=1 but %s is missing: %v", chromium, err)
		}
		t.Skipf("%s is missing", chromium)
	}
	shots := os.Getenv("MOSAIC_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	base := shared.srv.URL
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/"), // redirected to the login page
		chromedp.WaitVisible(chromedp.CSS(`#client_id`)),
		chromedp.SendKeys(chromedp.CSS(`#client_id`), testClientID),
		chromedp.SendKeys(chromedp.CSS(`#client_secret`), testClientSecret),
		chromedp.Submit(chromedp.CSS(`#client_secret`)),
		chromedp.WaitVisible(chromedp.CSS(`#value`)),
		chromedp.SetValue(chromedp.CSS(`#type`), "email"),
		chromedp.SendKeys(chromedp.CSS(`#value`), "Ada@Example.com"),
		chromedp.Submit(chromedp.CSS(`#value`)),
		chromedp.WaitVisible(chromedp.CSS(`#identities`)),
	)
	if err != nil {
		t.Fatalf("log in and find a profile: %v", err)
	}
	title := run(ctx, t, chromedp.Title())
	if !strings.HasPrefix(title, "Profile ") {
		t.Errorf("the search landed on %q, want a profile page", title)
	}
	for part, wants := range map[string][]string{
		"#identities": {"email", "ada@example.com", "customerid", "C001", "ck-1"},
		"#attributes": {"tier", `"platinum"`, "lifetime_value", "page_views", "calculated"},
		"#audiences":  {"vip", "browsers"},
	} {
		text := run(ctx, t, chromedp.Text(chromedp.CSS(part)))
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("the profile page's %s shows %q, want %q in it", part, text, want)
			}
		}
	}
	profileShot := run(ctx, t, chromedp.FullScreenshot(100))

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/runs"),
		chromedp.Click(chromedp.CSS(`a[href="/ui/runs/1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#stages svg rect`)),
	)
	if err != nil {
		t.Fatalf("open run 1: %v", err)
	}
	widths := run(ctx, t, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll('#stages svg rect')).map(r => r.getBoundingClientRect().width)`))
	drawn := 0
	for _, w := range widths {
		if w > 0 {
			drawn++
		}
	}
	if drawn == 0 {
		t.Errorf("the run page's stage chart has no bar with a width: %v", widths)
	}
	runShot := run(ctx, t, chromedp.FullScreenshot(100))

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/audiences"),
		chromedp.Click(chromedp.CSS(`a[href="/ui/audiences/vip"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.vbar rect`)),
	)
	if err != nil {
		t.Fatalf("open audience vip: %v", err)
	}
	audienceShot := run(ctx, t, chromedp.FullScreenshot(100))

	// The console's POST passes the same-origin check as Chromium sends it.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/sql"),
		chromedp.SetValue(chromedp.CSS(`#q`), "SELECT audience, count(*) AS members FROM audience_members GROUP BY ALL ORDER BY 1"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		chromedp.WaitVisible(chromedp.CSS(`#result`)),
	)
	if err != nil {
		t.Fatalf("run a query in the console: %v", err)
	}
	if result := run(ctx, t, chromedp.Text(chromedp.CSS(`#result`))); !strings.Contains(result, "2 rows") || !strings.Contains(result, "vip") {
		t.Errorf("the console shows %q, want 2 rows with vip", result)
	}
	sqlShot := run(ctx, t, chromedp.FullScreenshot(100))
	for name, png := range map[string][]byte{"profile.png": profileShot, "run.png": runShot, "audience.png": audienceShot, "sql.png": sqlShot} {
		if len(png) < 8 || string(png[1:4]) != "PNG" {
			t.Errorf("%s is not a PNG", name)
			continue
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}

// run runs one browser action and returns its value.
func run[T any](ctx context.Context, t *testing.T, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
