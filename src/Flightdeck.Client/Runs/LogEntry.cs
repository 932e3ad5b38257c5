using Flightdeck.Contracts;

namespace Flightdeck.Client.Runs;

/// <summary>What an <see cref="ActiveRun"/> queues for its background sender.</summary>
internal abstract record LogEntry;

internal sealed record MetricEntry(Metric Metric) : LogEntry;

internal sealed record ParamEntry(Param Param) : LogEntry;

internal sealed record TagEntry(RunTag Tag) : LogEntry;

/// <summary>Completed by the sender once everything queued before it has been sent (or has failed).</summary>
internal sealed record FlushEntry(TaskCompletionSource Done) : LogEntry;
