using System.Text.Json;
using System.Text.Json.Serialization;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Endpoints;

#pragma warning disable IDE1006 // Dapper maps snake_case columns onto these names.

/// <summary>A row of <c>endpoints</c>: the API's shapes kept as JSON columns, plus the row version that orders writes.</summary>
internal sealed class EndpointRow
{
    public const string Columns =
        "name, description, state, routes_json, settings_json, rollout_json, row_version, creation_time, last_updated_time";

    public string name { get; set; } = "";
    public string? description { get; set; }
    public string state { get; set; } = EndpointState.Ready;
    public string routes_json { get; set; } = "[]";
    public string settings_json { get; set; } = "{}";
    public string? rollout_json { get; set; }
    public long row_version { get; set; }
    public long creation_time { get; set; }
    public long last_updated_time { get; set; }

    public ServingEndpoint ToContract() => new()
    {
        Name = name,
        Description = description,
        State = state,
        Routes = EndpointRowJson.Routes(routes_json),
        Settings = JsonSerializer.Deserialize(settings_json, EndpointRowJson.Default.EndpointSettings) ?? new EndpointSettings(),
        Rollout = rollout_json is null ? null : JsonSerializer.Deserialize(rollout_json, EndpointRowJson.Default.EndpointRollout),
        CreationTimestamp = creation_time,
        LastUpdatedTimestamp = last_updated_time,
    };
}

/// <summary>A row of <c>endpoint_events</c>.</summary>
internal sealed class EndpointEventRow
{
    public const string Columns = "id, endpoint_name, event_time, type, routes_json, rollout_id, reason, reading_json";

    public long id { get; set; }
    public string endpoint_name { get; set; } = "";
    public long event_time { get; set; }
    public string type { get; set; } = "";
    public string routes_json { get; set; } = "[]";
    public string? rollout_id { get; set; }
    public string? reason { get; set; }
    public string? reading_json { get; set; }

    public EndpointEvent ToContract() => new()
    {
        EventId = id,
        Timestamp = event_time,
        Type = type,
        Routes = EndpointRowJson.Routes(routes_json),
        RolloutId = rollout_id,
        Reason = reason,
        Reading = reading_json is null ? null : JsonSerializer.Deserialize(reading_json, EndpointRowJson.Default.GuardrailReading),
    };
}

/// <summary>The JSON columns, in the wire's snake_case so a row reads like the API's answer.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<EndpointRoute>))]
[JsonSerializable(typeof(EndpointSettings))]
[JsonSerializable(typeof(EndpointRollout))]
[JsonSerializable(typeof(GuardrailReading))]
internal sealed partial class EndpointRowJson : JsonSerializerContext
{
    public static List<EndpointRoute> Routes(string json) => JsonSerializer.Deserialize(json, Default.ListEndpointRoute) ?? [];

    public static string Write(List<EndpointRoute> routes) => JsonSerializer.Serialize(routes, Default.ListEndpointRoute);

    public static string Write(EndpointSettings settings) => JsonSerializer.Serialize(settings, Default.EndpointSettings);

    public static string? Write(EndpointRollout? rollout) => rollout is null ? null : JsonSerializer.Serialize(rollout, Default.EndpointRollout);

    public static string? Write(GuardrailReading? reading) => reading is null ? null : JsonSerializer.Serialize(reading, Default.GuardrailReading);
}
