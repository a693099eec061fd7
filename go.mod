module github.com/mosaic-cdp/mosaic

go 1.26

require (
	github.com/goccy/go-yaml v1.19.2
	github.com/robfig/cron/v3 v3.0.1
)
