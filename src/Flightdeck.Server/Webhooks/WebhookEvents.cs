using Flightdeck.Contracts;

namespace Flightdeck.Server.Webhooks;

/// <summary>
/// The names webhooks subscribe to, <c>entity.action</c> as in MLflow 3's webhooks (e.g. <c>model_version.created</c>,
/// <c>model_version_alias.created</c>), for each registry event type. <c>*</c> subscribes to all of them.
/// </summary>
internal static class WebhookEvents
{
    public const string All = "*";

    private static readonly Dictionary<string, string> ByRegistryType = new(StringComparer.Ordinal)
    {
        [RegistryEventType.ModelCreated] = "registered_model.created",
        [RegistryEventType.ModelRenamed] = "registered_model.renamed",
        [RegistryEventType.ModelDeleted] = "registered_model.deleted",
        [RegistryEventType.ModelDescriptionChanged] = "registered_model.description_changed",
        [RegistryEventType.ModelTagSet] = "registered_model_tag.set",
        [RegistryEventType.ModelTagDeleted] = "registered_model_tag.deleted",
        [RegistryEventType.VersionCreated] = "model_version.created",
        [RegistryEventType.VersionDeleted] = "model_version.deleted",
        [RegistryEventType.VersionDescriptionChanged] = "model_version.description_changed",
        [RegistryEventType.VersionTagSet] = "model_version_tag.set",
        [RegistryEventType.VersionTagDeleted] = "model_version_tag.deleted",
        [RegistryEventType.VersionStageChanged] = "model_version.stage_changed",
        [RegistryEventType.AliasSet] = "model_version_alias.created",
        [RegistryEventType.AliasDeleted] = "model_version_alias.deleted",
    };

    /// <summary>Every name a webhook may subscribe to, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = ByRegistryType.Values.ToList();

    private static readonly HashSet<string> Known = [.. Names];

    public static bool IsKnown(string name) => Known.Contains(name);

    /// <summary>The webhook event name of a registry event type (an unmapped type keeps a lower-case form, reached only by <c>*</c>).</summary>
    public static string Of(string registryEventType) =>
        ByRegistryType.TryGetValue(registryEventType, out var name) ? name : registryEventType.ToLowerInvariant();

    public static bool Matches(IReadOnlyCollection<string> subscribed, string eventName) =>
        subscribed.Contains(All) || subscribed.Contains(eventName);

    /// <summary>Splits <c>entity.action</c> for the payload's MLflow-style fields.</summary>
    public static (string Entity, string Action) Split(string eventName)
    {
        var dot = eventName.LastIndexOf('.');
        return dot < 0 ? (eventName, "") : (eventName[..dot], eventName[(dot + 1)..]);
    }
}
