using Flightdeck.Client;
using Flightdeck.Samples.Readmission;

SampleOptions options;
Uri trackingUri;
try
{
    options = SampleOptions.Parse(args);
    trackingUri = FlightdeckClient.ResolveTrackingUri(options.TrackingUri);
}
catch (Exception ex) when (ex is FormatException or ArgumentException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(SampleOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

using var client = new FlightdeckClient(trackingUri);
try
{
    await ReadmissionSample.RunAsync(options, client, Console.Out, cancel.Token);
    return 0;
}
catch (FlightdeckConnectionException ex)
{
    Console.Error.WriteLine($"{ex.Message}\nStart a server first (scripts/demo.sh or `flightdeck server`), or pass --tracking-uri.");
    return 1;
}
catch (FlightdeckApiException ex)
{
    Console.Error.WriteLine($"The tracking server refused the run: {ex.Message}");
    return 1;
}
catch (Flightdeck.Contracts.FlightdeckException ex)
{
    Console.Error.WriteLine($"The model could not be logged or loaded: {ex.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled; the run is marked KILLED.");
    return 130;
}
