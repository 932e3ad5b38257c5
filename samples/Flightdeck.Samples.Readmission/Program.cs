using Flightdeck.Samples.Readmission;

SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (FormatException ex)
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

var outcome = await ReadmissionSample.RunAsync(options, Console.Out, cancel.Token);
return outcome is null ? 1 : 0;
