package gen

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

//go:embed pipeline.yaml.tmpl
var pipelineSrc string

var pipelineTemplate = template.Must(template.New("pipeline.yaml.tmpl").Option("missingkey=error").Parse(pipelineSrc))

// writePipeline writes pipeline.yaml, which reads exactly the files written
// beside it.
func writePipeline(out string, opts Options) (FileSummary, error) {
	var b strings.Builder
	err := pipelineTemplate.Execute(&b, map[string]any{
		"Users":     opts.Users,
		"Seed":      opts.Seed,
		"Anchor":    Anchor.Format(time.RFC3339),
		"Web":       WebFile,
		"App":       AppFile,
		"CRM":       CRMFile,
		"Purchases": PurchasesFile,
	})
	if err != nil {
		return FileSummary{}, fmt.Errorf("gen: render %s: %w", PipelineFile, err)
	}
	path := filepath.Join(out, PipelineFile)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return FileSummary{}, fmt.Errorf("gen: write %s: %w", path, err)
	}
	return FileSummary{Path: PipelineFile, Bytes: int64(b.Len())}, nil
}
