using Flightdeck.Server.Outbox;

namespace Flightdeck.Server.Hosting;

/// <summary>How a Flightdeck server process is started: where it listens and where it keeps its data.</summary>
public sealed record ServerOptions
{
    public const string DefaultDataFolder = "flightdeck-data";

    /// <summary>Interface to bind; loopback unless the operator asks for more.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port to listen on; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 5000;

    /// <summary>sqlite:///abs.db, sqlite:rel.db or postgresql://user:pass@host:port/db.</summary>
    public string BackendStoreUri { get; init; } = $"sqlite:{DefaultDataFolder}/flightdeck.db";

    /// <summary>A local folder or s3://bucket/prefix; the S3 endpoint can be overridden by FLIGHTDECK_S3_ENDPOINT_URL.</summary>
    public string ArtifactsDestination { get; init; } = Path.Combine(DefaultDataFolder, "artifacts");

    /// <summary>When set, deleted runs and experiments older than this are purged on <see cref="GcInterval"/>.</summary>
    public TimeSpan? GcOlderThan { get; init; }

    public TimeSpan GcInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Whether to apply pending schema migrations at start (the default, as MLflow's server does).</summary>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary>Delivery and retry of outbox messages (webhooks).</summary>
    public OutboxOptions Outbox { get; init; } = new();

    /// <summary>
    /// Where to send OpenLineage events for Flightdeck's runs (a Marquez or other OpenLineage HTTP endpoint: a base URL gets
    /// <c>api/v1/lineage</c> appended); null sends none.
    /// </summary>
    public string? OpenLineageUrl { get; init; }

    /// <summary>The OpenLineage job namespace of Flightdeck's runs (jobs are experiments) and of its model outputs.</summary>
    public string OpenLineageNamespace { get; init; } = "flightdeck";

    /// <summary>Share (0–1) of endpoint inferences written to the inference log, for endpoints that set none.</summary>
    public double InferenceLogSampleRate { get; init; } = 1.0;

    /// <summary>When set, inference log rows older than this are deleted on <see cref="InferenceLogRetentionInterval"/>.</summary>
    public TimeSpan? InferenceLogRetention { get; init; }

    public TimeSpan InferenceLogRetentionInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether log-batch prompts the chart summaries of a series as its points arrive, so that even its first chart reads
    /// summaries. Off by default: it measured 15–25% more server CPU per log-batch, so summaries are built when a chart
    /// first finds a long unsummarized series, and serve every later view (and every view after a restart) instead.
    /// </summary>
    public bool ChartSummariesOnWrite { get; init; }
}
