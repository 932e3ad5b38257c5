using System.Text.Json.Serialization;

namespace Flightdeck.Contracts;

// Managed serving endpoints (/api/flightdeck/v1/endpoints): a named endpoint routes scoring requests to one or more
// registered model versions by weight, and rolls new versions out progressively with guardrails.

/// <summary>A managed endpoint as the API shows it: its traffic now, its settings, and its latest rollout.</summary>
public sealed record ServingEndpoint
{
    public string Name { get; init; } = "";
    public string? Description { get; init; }

    /// <summary><see cref="EndpointState"/>: READY, or UPDATING while a rollout is in progress.</summary>
    public string State { get; init; } = EndpointState.Ready;

    /// <summary>The versions the endpoint serves now. The weights of LIVE and CANDIDATE routes add up to 100; a SHADOW
    /// route's weight is the share of traffic mirrored to it; a STANDBY route (blue-green's old version during the
    /// termination wait) takes no traffic but stays loaded so rollback is instant.</summary>
    public List<EndpointRoute> Routes { get; init; } = [];
    public EndpointSettings Settings { get; init; } = new();

    /// <summary>The rollout in progress, or the most recent one; absent when none ever ran.</summary>
    public EndpointRollout? Rollout { get; init; }
    public long CreationTimestamp { get; init; }
    public long LastUpdatedTimestamp { get; init; }
}

public static class EndpointState
{
    public const string Ready = "READY";
    public const string Updating = "UPDATING";
}

/// <summary>One model version behind an endpoint and its share of the traffic (percent, 0–100).</summary>
public sealed record EndpointRoute
{
    public string ModelName { get; init; } = "";
    public string Version { get; init; } = "";
    public int Weight { get; init; }

    /// <summary><see cref="RouteRole"/>.</summary>
    public string Role { get; init; } = RouteRole.Live;
}

public static class RouteRole
{
    public const string Live = "LIVE";
    public const string Candidate = "CANDIDATE";
    public const string Shadow = "SHADOW";
    public const string Standby = "STANDBY";
}

/// <summary>How an endpoint serves: batching, time limit and inference logging. Absent values take the defaults.</summary>
public sealed record EndpointSettings
{
    public int? MaxBatchSize { get; init; }
    public double? MaxBatchDelayMs { get; init; }
    public int? RequestTimeoutMs { get; init; }

    /// <summary>Share of requests (0–1) whose inputs and outputs are logged for monitoring; 0 turns logging off.</summary>
    public double? InferenceLogSampleRate { get; init; }
}

/// <summary>A progressive rollout of a candidate version onto an endpoint.</summary>
public sealed record EndpointRollout
{
    public string RolloutId { get; init; } = "";

    /// <summary><see cref="RolloutStrategy"/>.</summary>
    public string Strategy { get; init; } = RolloutStrategy.Canary;

    /// <summary><see cref="RolloutStatus"/>.</summary>
    public string Status { get; init; } = RolloutStatus.InProgress;
    public string ModelName { get; init; } = "";
    public string CandidateVersion { get; init; } = "";

    /// <summary>The version that served all traffic when the rollout began, which a rollback returns to.</summary>
    public string? BaselineVersion { get; init; }
    public string? BaselineModelName { get; init; }

    /// <summary>The candidate's traffic percent at each step (a shadow rollout: the mirrored percent). Blue-green has
    /// one step of 100.</summary>
    public List<int> Steps { get; init; } = [];

    /// <summary>Index into <see cref="Steps"/> of the step being baked.</summary>
    public int CurrentStep { get; init; }
    public int BakeSeconds { get; init; }

    /// <summary>Blue-green: how long the old version stays loaded (STANDBY) after the switch.</summary>
    public int TerminationWaitSeconds { get; init; }
    public RolloutGuardrails Guardrails { get; init; } = new();
    public long StartedTimestamp { get; init; }
    public long StepStartedTimestamp { get; init; }
    public long? FinishedTimestamp { get; init; }

    /// <summary>Why the rollout ended as it did (e.g. which guardrail was breached, with the numbers), or who acted.</summary>
    public string? Reason { get; init; }

    /// <summary>The latest guardrail evaluation of the current step.</summary>
    public GuardrailReading? LastReading { get; init; }
}

public static class RolloutStrategy
{
    public const string BlueGreen = "BLUE_GREEN";
    public const string Canary = "CANARY";
    public const string Linear = "LINEAR";
    public const string Shadow = "SHADOW";
}

public static class RolloutStatus
{
    public const string InProgress = "IN_PROGRESS";
    public const string Succeeded = "SUCCEEDED";
    public const string RolledBack = "ROLLED_BACK";
}

/// <summary>Limits the candidate must stay within while a step bakes; a breach rolls back. Absent values take the
/// defaults (error rate 0.01, PSI 0.2, at least 20 candidate requests before judging; no p99 limit).</summary>
public sealed record RolloutGuardrails
{
    public double? MaxErrorRate { get; init; }
    public double? MaxP99LatencyMs { get; init; }

    /// <summary>Largest population stability index of the candidate's predictions against the live version's over the
    /// same window.</summary>
    public double? MaxPredictionPsi { get; init; }
    public int? MinRequests { get; init; }
}

/// <summary>The candidate's numbers over the current step's window, as the guardrails last saw them.</summary>
public sealed record GuardrailReading
{
    public long Timestamp { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double ErrorRate { get; init; }
    public double? P99LatencyMs { get; init; }
    public double? PredictionPsi { get; init; }
    public long BaselineRequests { get; init; }
}

/// <summary>Body of <c>POST /api/flightdeck/v1/endpoints</c>: a new endpoint serving one version (by number or alias).</summary>
public sealed record CreateEndpointRequest
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? ModelName { get; init; }
    public string? Version { get; init; }
    public string? Alias { get; init; }
    public EndpointSettings? Settings { get; init; }
}

/// <summary>Body of <c>PATCH /api/flightdeck/v1/endpoints/{name}</c>: only the fields given change. Routes set the
/// traffic by hand (refused while a rollout is in progress).</summary>
public sealed record UpdateEndpointRequest
{
    public string? Description { get; init; }
    public EndpointSettings? Settings { get; init; }
    public List<EndpointRoute>? Routes { get; init; }
}

/// <summary>Body of <c>POST /api/flightdeck/v1/endpoints/{name}/deploy</c>: roll a version out. The model defaults to the
/// live route's; the strategy to CANARY with steps [10, 100]; LINEAR to steps of 10; BLUE_GREEN to [100];
/// SHADOW to mirroring 100 percent.</summary>
public sealed record DeployRequest
{
    public string? ModelName { get; init; }
    public string? Version { get; init; }
    public string? Alias { get; init; }
    public string? Strategy { get; init; }
    public List<int>? Steps { get; init; }
    public int? BakeSeconds { get; init; }
    public int? TerminationWaitSeconds { get; init; }
    public RolloutGuardrails? Guardrails { get; init; }
}

/// <summary>Body of <c>POST …/promote</c> and <c>POST …/rollback</c>.</summary>
public sealed record RolloutActionRequest
{
    public string? Reason { get; init; }
}

public sealed record EndpointResponse(ServingEndpoint Endpoint);

public sealed record ListEndpointsResponse
{
    public List<ServingEndpoint> Endpoints { get; init; } = [];
}

/// <summary>One change of an endpoint, newest first in <c>GET …/history</c>: every traffic change is one.</summary>
public sealed record EndpointEvent
{
    public long EventId { get; init; }
    public long Timestamp { get; init; }

    /// <summary><see cref="EndpointEventType"/>.</summary>
    public string Type { get; init; } = "";

    /// <summary>The routes after the change.</summary>
    public List<EndpointRoute> Routes { get; init; } = [];
    public string? RolloutId { get; init; }
    public string? Reason { get; init; }
    public GuardrailReading? Reading { get; init; }
}

public static class EndpointEventType
{
    public const string Created = "CREATED";
    public const string SettingsChanged = "SETTINGS_CHANGED";
    public const string TrafficChanged = "TRAFFIC_CHANGED";
    public const string RolloutStarted = "ROLLOUT_STARTED";
    public const string StepAdvanced = "STEP_ADVANCED";
    public const string Promoted = "PROMOTED";
    public const string RolledBack = "ROLLED_BACK";
    public const string StandbyReleased = "STANDBY_RELEASED";
    public const string Deleted = "DELETED";
}

public sealed record ListEndpointEventsResponse
{
    public List<EndpointEvent> Events { get; init; } = [];
    public string? NextPageToken { get; init; }
}

/// <summary>Headers of endpoint invocations.</summary>
public static class EndpointHeaders
{
    /// <summary>Request: serve this version of the endpoint's (it must be one of its routes).</summary>
    public const string PinVersion = "X-Flightdeck-Version";

    /// <summary>Request: requests with the same key go to the same version while the weights stay the same.</summary>
    public const string RoutingKey = "X-Flightdeck-Routing-Key";

    /// <summary>Response: the version that answered.</summary>
    public const string ServedVersion = "X-Flightdeck-Served-Version";
}

/// <summary>The endpoint messages' JSON, with the wire settings of <see cref="FlightdeckJsonContext"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    PropertyNameCaseInsensitive = false,
    Converters = [typeof(NulFreeStringConverter)])]
[JsonSerializable(typeof(CreateEndpointRequest))]
[JsonSerializable(typeof(UpdateEndpointRequest))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(RolloutActionRequest))]
[JsonSerializable(typeof(EndpointResponse))]
[JsonSerializable(typeof(ListEndpointsResponse))]
[JsonSerializable(typeof(ListEndpointEventsResponse))]
public sealed partial class EndpointJsonContext : JsonSerializerContext;
