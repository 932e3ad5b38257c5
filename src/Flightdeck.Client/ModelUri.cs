using System.Globalization;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>What a <see cref="ModelUri"/> names.</summary>
public enum ModelUriKind
{
    /// <summary><c>runs:/RUN_ID/path</c>: a folder of a run's artifacts.</summary>
    Run,

    /// <summary><c>models:/NAME/VERSION</c>: one registered version.</summary>
    Version,

    /// <summary><c>models:/NAME@ALIAS</c>: the version an alias points at.</summary>
    Alias,

    /// <summary><c>models:/NAME/STAGE</c>: the newest version in a stage (MLflow's deprecated stages).</summary>
    Stage,

    /// <summary><c>models:/NAME/latest</c>: the model's highest version number.</summary>
    Latest,
}

/// <summary>
/// A model reference as MLflow writes them: <c>runs:/RUN_ID/path</c>, <c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c>,
/// <c>models:/NAME/STAGE</c> (None, Staging, Production, Archived, in any case) or <c>models:/NAME/latest</c>.
/// <see cref="FlightdeckClient.ResolveModelUriAsync(string, CancellationToken)"/> turns one into a place to download from.
/// </summary>
public sealed record ModelUri
{
    /// <summary>The scheme of run artifact references.</summary>
    public const string RunsScheme = "runs";

    /// <summary>The scheme of registry references.</summary>
    public const string ModelsScheme = "models";

    private ModelUri(string text, ModelUriKind kind)
    {
        Text = text;
        Kind = kind;
    }

    /// <summary>The URI as given.</summary>
    public string Text { get; }

    /// <summary>What the URI names.</summary>
    public ModelUriKind Kind { get; }

    /// <summary>The run, for <see cref="ModelUriKind.Run"/>.</summary>
    public string? RunId { get; private init; }

    /// <summary>The path under the run's artifact root ("" for the root), for <see cref="ModelUriKind.Run"/>.</summary>
    public string? ArtifactPath { get; private init; }

    /// <summary>The registered model's name, for every kind but <see cref="ModelUriKind.Run"/>.</summary>
    public string? Name { get; private init; }

    /// <summary>The version number, for <see cref="ModelUriKind.Version"/>.</summary>
    public string? Version { get; private init; }

    /// <summary>The alias, for <see cref="ModelUriKind.Alias"/>.</summary>
    public string? Alias { get; private init; }

    /// <summary>The stage in MLflow's spelling, for <see cref="ModelUriKind.Stage"/>.</summary>
    public string? Stage { get; private init; }

    /// <summary>Parses a model URI; a malformed one throws <see cref="FlightdeckException"/> (INVALID_PARAMETER_VALUE) saying what is expected.</summary>
    public static ModelUri Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return TryParse(uri, out var parsed, out var error) ? parsed : throw new FlightdeckException(ErrorCode.InvalidParameterValue, error);
    }

    /// <summary>Parses a model URI, or gives the reason it is malformed.</summary>
    public static bool TryParse(string? uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelUri? parsed, out string error)
    {
        parsed = null;
        error = "";
        var text = uri?.Trim() ?? "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? "" : text[..colon];
        var rest = colon < 0 ? "" : text[(colon + 1)..];
        if (scheme.Equals(RunsScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseRun(text, rest, out parsed, out error);
        }

        if (scheme.Equals(ModelsScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseModel(text, rest, out parsed, out error);
        }

        error = $"'{text}' is not a model URI; expected runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias> "
            + "or models:/<name>/<stage>.";
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool TryParseRun(string text, string rest, out ModelUri? parsed, out string error)
    {
        parsed = null;
        if (!rest.StartsWith('/') || rest.StartsWith("//", StringComparison.Ordinal))
        {
            error = $"Malformed run URI '{text}': expected runs:/<run_id>/<path> (one slash after the scheme, no host).";
            return false;
        }

        var parts = rest[1..];
        var slash = parts.IndexOf('/', StringComparison.Ordinal);
        var runId = slash < 0 ? parts : parts[..slash];
        var path = slash < 0 ? "" : parts[(slash + 1)..];
        if (runId.Length == 0)
        {
            error = $"Malformed run URI '{text}': the run id is missing; expected runs:/<run_id>/<path>.";
            return false;
        }

        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".."))
        {
            error = $"Malformed run URI '{text}': the artifact path must not contain '.' or '..' segments.";
            return false;
        }

        error = "";
        parsed = new ModelUri(text, ModelUriKind.Run) { RunId = runId, ArtifactPath = string.Join('/', segments) };
        return true;
    }

    private static bool TryParseModel(string text, string rest, out ModelUri? parsed, out string error)
    {
        parsed = null;
        const string expected = "expected models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/<stage> or models:/<name>/latest";
        if (!rest.StartsWith('/') || rest.StartsWith("//", StringComparison.Ordinal))
        {
            error = $"Malformed model URI '{text}': {expected} (one slash after the scheme, no registry host).";
            return false;
        }

        var path = rest[1..].TrimEnd('/');
        var parts = path.Split('/');
        if (parts.Length == 1)
        {
            var at = path.LastIndexOf('@');
            if (at <= 0 || at == path.Length - 1)
            {
                error = $"Malformed model URI '{text}': {expected}.";
                return false;
            }

            error = "";
            parsed = new ModelUri(text, ModelUriKind.Alias) { Name = path[..at], Alias = path[(at + 1)..] };
            return true;
        }

        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = $"Malformed model URI '{text}': {expected}.";
            return false;
        }

        var (name, selector) = (parts[0], parts[1]);
        error = "";
        if (selector.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                error = $"Malformed model URI '{text}': version '{selector}' is not a positive version number.";
                return false;
            }

            parsed = new ModelUri(text, ModelUriKind.Version) { Name = name, Version = number.ToString(CultureInfo.InvariantCulture) };
            return true;
        }

        if (selector.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            parsed = new ModelUri(text, ModelUriKind.Latest) { Name = name };
            return true;
        }

        var stage = ModelStage.All.FirstOrDefault(s => s.Equals(selector, StringComparison.OrdinalIgnoreCase));
        if (stage is null)
        {
            error = $"Malformed model URI '{text}': '{selector}' is neither a version number, 'latest', nor a stage "
                + $"({string.Join(", ", ModelStage.All)}); for an alias write models:/{name}@{selector}.";
            return false;
        }

        parsed = new ModelUri(text, ModelUriKind.Stage) { Name = name, Stage = stage };
        return true;
    }
}
