package outputs

// EventsArgs is eventsArgs, for the tests of package outputs_test.
var EventsArgs = eventsArgs
