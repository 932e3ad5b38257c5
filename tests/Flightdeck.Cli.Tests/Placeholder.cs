namespace Flightdeck.Cli.Tests;
