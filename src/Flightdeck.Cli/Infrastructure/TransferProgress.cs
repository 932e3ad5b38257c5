using Spectre.Console;

namespace Flightdeck.Cli.Infrastructure;

/// <summary>A Spectre progress bar around a transfer, shown only for transfers big enough to be worth watching.</summary>
internal static class TransferProgress
{
    public const long ThresholdBytes = 4L * 1024 * 1024;

    public static async Task<T> RunAsync<T>(IAnsiConsole console, bool quiet, string description, long totalBytes, Func<IProgress<long>?, Task<T>> transfer)
    {
        if (quiet || totalBytes < ThresholdBytes)
        {
            return await transfer(null);
        }

        T result = default!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: totalBytes);
                result = await transfer(new Reporter(task));
                task.Value = totalBytes;
            });
        return result;
    }

    /// <summary>Updates the bar on the reporting thread; Progress&lt;T&gt; would post each chunk to the thread pool.</summary>
    private sealed class Reporter(ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = value;
    }
}
