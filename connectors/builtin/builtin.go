// Package builtin builds the registry of the connectors compiled into
// mosaic, explicitly, in one place.
package builtin

import (
	"github.com/mosaic-cdp/mosaic/connectors"
	"github.com/mosaic-cdp/mosaic/connectors/bigquery"
	"github.com/mosaic-cdp/mosaic/connectors/eventsapi"
	"github.com/mosaic-cdp/mosaic/connectors/files"
	"github.com/mosaic-cdp/mosaic/connectors/google"
	"github.com/mosaic-cdp/mosaic/connectors/meta"
	"github.com/mosaic-cdp/mosaic/connectors/mparticle"
	"github.com/mosaic-cdp/mosaic/connectors/postgres"
	"github.com/mosaic-cdp/mosaic/connectors/tradedesk"
	"github.com/mosaic-cdp/mosaic/connectors/webhook"
	"github.com/mosaic-cdp/mosaic/internal/config"
)

// Registry returns a registry holding every built-in connector.
func Registry() *connectors.Registry {
	r := connectors.NewRegistry()
	r.RegisterSource("files", files.New())
	r.RegisterSource("postgres", postgres.New())
	r.RegisterSource("bigquery", bigquery.New())
	r.RegisterSource(config.EventsAPI, eventsapi.New())
	r.RegisterDestination("files", files.NewDestination())
	r.RegisterDestination("postgres", postgres.NewDestination())
	r.RegisterDestination("bigquery", bigquery.NewDestination())
	r.RegisterDestination("webhook", webhook.New())
	r.RegisterDestination("mparticle", mparticle.New())
	r.RegisterDestination(meta.Kind, meta.New())
	r.RegisterDestination(google.Kind, google.New())
	r.RegisterDestination(tradedesk.Kind, tradedesk.New())
	return r
}
