using System.Text.Json.Serialization;

namespace Flightdeck.Cli.Infrastructure;

/// <summary>JSON results of the commands that have no API DTO of their own.</summary>
internal sealed record MigrationsResult(List<AppliedMigration> Applied);

internal sealed record AppliedMigration(int Version, string Name);

internal sealed record UploadResult(string RunId, string ArtifactPath, int Files, long Bytes);

internal sealed record DownloadResult(string RunId, string ArtifactPath, string LocalPath, long Bytes);

internal sealed record IdResult(string Id);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MigrationsResult))]
[JsonSerializable(typeof(UploadResult))]
[JsonSerializable(typeof(DownloadResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
