using System.Text.Json;

namespace Flightdeck.Contracts;

// The model registry's entities and messages (mlflow/protos/model_registry.proto), plus Flightdeck's registry history.
// Request fields are nullable: the server names a missing required field in its 400 answer.

public sealed record RegisteredModel
{
    public string Name { get; init; } = "";
    public long CreationTimestamp { get; init; }
    public long LastUpdatedTimestamp { get; init; }
    public string? Description { get; init; }
    public List<ModelVersion> LatestVersions { get; init; } = [];
    public List<RegisteredModelTag> Tags { get; init; } = [];
    public List<RegisteredModelAlias> Aliases { get; init; } = [];
}

public sealed record RegisteredModelTag(string Key, string Value);

public sealed record RegisteredModelAlias(string Alias, string Version);

public sealed record ModelVersion
{
    public string Name { get; init; } = "";

    /// <summary>The version number, a string on the wire as in MLflow.</summary>
    public string Version { get; init; } = "";
    public long CreationTimestamp { get; init; }
    public long LastUpdatedTimestamp { get; init; }
    public string? UserId { get; init; }
    public string CurrentStage { get; init; } = ModelStage.None;
    public string? Description { get; init; }
    public string Source { get; init; } = "";
    public string? RunId { get; init; }
    public string Status { get; init; } = "READY";
    public string? RunLink { get; init; }
    public List<ModelVersionTag> Tags { get; init; } = [];
    public List<string> Aliases { get; init; } = [];
}

public sealed record ModelVersionTag(string Key, string Value);

/// <summary>MLflow's (deprecated but still used) model version stages.</summary>
public static class ModelStage
{
    public const string None = "None";
    public const string Staging = "Staging";
    public const string Production = "Production";
    public const string Archived = "Archived";

    public static readonly string[] All = [None, Staging, Production, Archived];
}

public sealed record CreateRegisteredModelRequest
{
    public string? Name { get; init; }
    public List<RegisteredModelTag>? Tags { get; init; }
    public string? Description { get; init; }
}

public sealed record RegisteredModelResponse(RegisteredModel RegisteredModel);

public sealed record RenameRegisteredModelRequest
{
    public string? Name { get; init; }
    public string? NewName { get; init; }
}

public sealed record UpdateRegisteredModelRequest
{
    public string? Name { get; init; }
    public string? Description { get; init; }
}

public sealed record RegisteredModelNameRequest
{
    public string? Name { get; init; }
}

public sealed record SearchRegisteredModelsResponse
{
    public List<RegisteredModel> RegisteredModels { get; init; } = [];
    public string? NextPageToken { get; init; }
}

public sealed record GetLatestVersionsRequest
{
    public string? Name { get; init; }
    public List<string>? Stages { get; init; }
}

public sealed record ModelVersionsResponse
{
    public List<ModelVersion> ModelVersions { get; init; } = [];
}

public sealed record SetRegisteredModelTagRequest
{
    public string? Name { get; init; }
    public string? Key { get; init; }
    public string? Value { get; init; }
}

public sealed record DeleteRegisteredModelTagRequest
{
    public string? Name { get; init; }
    public string? Key { get; init; }
}

public sealed record RegisteredModelAliasRequest
{
    public string? Name { get; init; }
    public string? Alias { get; init; }
    public string? Version { get; init; }
}

public sealed record CreateModelVersionRequest
{
    public string? Name { get; init; }
    public string? Source { get; init; }
    public string? RunId { get; init; }
    public List<ModelVersionTag>? Tags { get; init; }
    public string? RunLink { get; init; }
    public string? Description { get; init; }
}

public sealed record ModelVersionResponse(ModelVersion ModelVersion);

public sealed record ModelVersionRequest
{
    public string? Name { get; init; }
    public string? Version { get; init; }
}

public sealed record UpdateModelVersionRequest
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? Description { get; init; }
}

public sealed record TransitionModelVersionStageRequest
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? Stage { get; init; }
    public bool? ArchiveExistingVersions { get; init; }
}

public sealed record SearchModelVersionsResponse
{
    public List<ModelVersion> ModelVersions { get; init; } = [];
    public string? NextPageToken { get; init; }
}

public sealed record SetModelVersionTagRequest
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? Key { get; init; }
    public string? Value { get; init; }
}

public sealed record DeleteModelVersionTagRequest
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? Key { get; init; }
}

public sealed record ModelVersionDownloadUriResponse(string ArtifactUri);

/// <summary>One change to the registry, as stored: who did what, when, and the state before and after.</summary>
public sealed record RegistryEvent
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string? Version { get; init; }
    public string EventType { get; init; } = "";
    public string Actor { get; init; } = "";
    public long Timestamp { get; init; }
    public JsonElement? Before { get; init; }
    public JsonElement? After { get; init; }
}

/// <summary>Answer of <c>GET /api/flightdeck/v1/registered-models/history</c>: a model's timeline, oldest first.</summary>
public sealed record RegistryHistoryResponse
{
    public List<RegistryEvent> Events { get; init; } = [];
}

/// <summary>Answer of <c>GET /api/flightdeck/v1/registered-models/alias-at</c>.</summary>
public sealed record AliasAtResponse(string Name, string Alias, long Time, string Version, long SetAt);

/// <summary>Registry event types, as stored in <c>registry_events.event_type</c>.</summary>
public static class RegistryEventType
{
    public const string ModelCreated = "REGISTERED_MODEL_CREATED";
    public const string ModelRenamed = "REGISTERED_MODEL_RENAMED";
    public const string ModelDeleted = "REGISTERED_MODEL_DELETED";
    public const string ModelDescriptionChanged = "REGISTERED_MODEL_DESCRIPTION_CHANGED";
    public const string ModelTagSet = "REGISTERED_MODEL_TAG_SET";
    public const string ModelTagDeleted = "REGISTERED_MODEL_TAG_DELETED";
    public const string VersionCreated = "MODEL_VERSION_CREATED";
    public const string VersionDeleted = "MODEL_VERSION_DELETED";
    public const string VersionDescriptionChanged = "MODEL_VERSION_DESCRIPTION_CHANGED";
    public const string VersionTagSet = "MODEL_VERSION_TAG_SET";
    public const string VersionTagDeleted = "MODEL_VERSION_TAG_DELETED";
    public const string VersionStageChanged = "MODEL_VERSION_STAGE_CHANGED";
    public const string AliasSet = "ALIAS_SET";
    public const string AliasDeleted = "ALIAS_DELETED";
}
